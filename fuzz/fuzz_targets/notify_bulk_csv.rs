//! Bulk-send CSV: any file, for any channel, is checked without a panic, and the report adds up
//! (valid + invalid = rows checked, every error on a counted row).
#![no_main]

use gaap_notify::bulk::{BulkOptions, validate_csv};
use gaap_notify::rules::template::{TemplateContent, TemplateType};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&flags, csv)) = data.split_first() else { return };
    let kind = match flags % 3 {
        0 => TemplateType::Sms,
        1 => TemplateType::Email,
        _ => TemplateType::Letter,
    };
    let template = TemplateContent {
        kind,
        subject: Some("About ((reference))".to_owned()),
        body: "Dear ((name)), ((date??on the date)) ((address_line_1))".to_owned(),
    };
    let options = BulkOptions::default();
    if let Ok(report) = validate_csv(csv, &template, &options, |_| {}) {
        if !report.too_many_rows {
            assert_eq!(report.valid + report.invalid, report.rows, "{report:?}");
        }
        for e in &report.errors {
            assert!(e.row >= 2 && e.row <= report.rows + 1, "{e:?} in {report:?}");
        }
        let _ = report.is_ok();
    }
});
