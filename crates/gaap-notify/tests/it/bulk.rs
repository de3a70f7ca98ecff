//! Bulk CSV checks (notifications-utils tests/test_recipient_csv.py behaviours).

use gaap_notify::bulk::{BulkOptions, validate_csv};
use gaap_notify::rules::template::{TemplateContent, TemplateType};

fn sms(body: &str) -> TemplateContent {
    TemplateContent { kind: TemplateType::Sms, subject: None, body: body.into() }
}

#[test]
fn headers_are_insensitive_and_missing_columns_are_reported() {
    let csv = "PHONE_NUMBER,Name\n07700900123,Ann\n";
    let report = validate_csv(
        csv.as_bytes(),
        &sms("Hi ((name)) ((date of birth))"),
        &BulkOptions::default(),
        |_| {},
    )
    .unwrap();
    assert_eq!(report.missing_columns, ["date of birth"]);
    let report = validate_csv(
        "name\nAnn\n".as_bytes(),
        &sms("Hi ((name))"),
        &BulkOptions::default(),
        |_| {},
    )
    .unwrap();
    assert_eq!(report.missing_columns, ["phone number"]);
    assert!(!report.is_ok());
}

#[test]
fn bad_rows_by_spreadsheet_number() {
    let csv =
        "phone number,name\n07700900123,Ann\n0772345678,Bo\n07700900125,\n+1 202 555 0104,Cy\n";
    let report =
        validate_csv(csv.as_bytes(), &sms("Hi ((name))"), &BulkOptions::default(), |_| {}).unwrap();
    assert_eq!((report.rows, report.valid, report.invalid), (4, 1, 3));
    let rows: Vec<_> =
        report.errors.iter().map(|e| (e.row, e.column.as_str(), e.message.as_str())).collect();
    assert_eq!(
        rows,
        [
            (3, "phone number", "Number is not valid – double check the phone number you entered"),
            (4, "name", "Missing"),
            (
                5,
                "phone number",
                "This does not look like a UK mobile number – double check the mobile number you entered"
            ),
        ]
    );
}

#[test]
fn email_and_letter_files() {
    let email = TemplateContent {
        kind: TemplateType::Email,
        subject: Some("Hi ((name))".into()),
        body: "Body".into(),
    };
    let report = validate_csv(
        "email address,name\nnot-an-email,A\na@example.com,B\n".as_bytes(),
        &email,
        &BulkOptions::default(),
        |_| {},
    )
    .unwrap();
    assert_eq!(report.errors[0].message, "Not a valid email address");
    assert_eq!(report.valid, 1);
    let letter = TemplateContent {
        kind: TemplateType::Letter,
        subject: Some("Letter".into()),
        body: "Dear ((name))".into(),
    };
    let csv = "address line 1,address_line_2,postcode,name\nA,B,SW1A 1AA,Ann\nA,B,nowhere,Bo\n";
    let report = validate_csv(csv.as_bytes(), &letter, &BulkOptions::default(), |_| {}).unwrap();
    assert!(report.missing_columns.is_empty(), "{:?}", report.missing_columns);
    assert_eq!(report.errors.len(), 1);
    assert_eq!(
        (report.errors[0].row, report.errors[0].message.as_str()),
        (3, "Must be a real UK postcode")
    );
}

#[test]
fn more_than_100000_rows_are_flagged() {
    let mut csv = String::from("email address\n");
    for _ in 0..100_001 {
        csv.push_str("a@example.com\n");
    }
    let email =
        TemplateContent { kind: TemplateType::Email, subject: Some("S".into()), body: "B".into() };
    let mut last = 0;
    let report =
        validate_csv(csv.as_bytes(), &email, &BulkOptions::default(), |n| last = n).unwrap();
    assert!(report.too_many_rows);
    assert_eq!(report.rows, 100_001);
    assert_eq!(last, 100_001);
}
