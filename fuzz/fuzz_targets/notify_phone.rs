//! Phone numbers: parsing fuzzed text must not panic. A number Notify accepts must normalise to digits only,
//! as many as Notify's rules allow (a calling code of 1 to 3 digits and a significant number of 2 to 17, as
//! libphonenumber parses them), and its normalised form (with `+`) must parse back to the same number and get
//! the same verdict for the same permissions (or settle, or be refused, only where Notify does the same): a
//! validator never accepts what the platform's rules refuse.
#![no_main]

use gaap_notify::rules::phone::{
    PhoneNumber, PhonePermissions, check_for_api, validate_phone_number,
};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&flags, rest)) = data.split_first() else { return };
    let Ok(text) = std::str::from_utf8(rest) else { return };
    let permissions =
        PhonePermissions { international: flags & 1 != 0, uk_landline: flags & 2 != 0 };
    if let Ok(number) = PhoneNumber::parse(text) {
        let normalised = number.normalised();
        let _ = (number.is_uk(), number.is_international(), number.is_crown_dependency());
        let _ = (number.billing_prefix(), number.info());
        assert!(
            normalised.bytes().all(|b| b.is_ascii_digit()),
            "{text:?} normalised to {normalised:?}"
        );
        // Notify's rule, not E.164's 15 digits: it accepts `49544+14007478130` as the 16 digits
        // `4954414007478130` and the TV number `+4477000` as 7 (fuzz/findings/README.md).
        assert!((3..=20).contains(&normalised.len()), "{text:?} accepted as {normalised:?}");
        match PhoneNumber::parse(&format!("+{normalised}")) {
            Ok(again) if again.normalised() == normalised => assert_eq!(
                again.validate(permissions),
                number.validate(permissions),
                "{text:?} and {normalised:?} get different verdicts"
            ),
            // Notify's own normalisation is not idempotent where zeros follow a calling code
            // (`00007700900` -> `440007700900` -> `44007700900`; `4300007700500` drops one zero after
            // `43` a pass: fuzz/findings/README.md). Passes must converge: each drops zeros only.
            _ => converges(&normalised, foreign_tv_number(&number), |n| {
                let p = PhoneNumber::parse(&format!("+{n}")).ok()?;
                Some((p.normalised(), foreign_tv_number(&p)))
            }),
        }
    }
    if let Ok(normalised) = validate_phone_number(text, permissions) {
        let from_tv = PhoneNumber::parse(text).is_ok_and(|n| foreign_tv_number(&n));
        // Not idempotent where Notify is not (above); passes must converge.
        converges(&normalised, from_tv, |n| {
            let again = validate_phone_number(&format!("+{n}"), permissions).ok()?;
            let tv = PhoneNumber::parse(&format!("+{n}")).is_ok_and(|p| foreign_tv_number(&p));
            Some((again, tv))
        });
    }
    let _ = check_for_api(text, permissions);
});

/// Whether Notify takes `number`, on a calling code other than 44, for a UK number only because its national
/// number looks like an OFCOM TV number (`7700` and a digit), which Notify checks whatever the calling code.
/// Read again with a plus, such a number may be refused: `57050770002600` is accepted as `570770002600` (`+57`,
/// the national prefix `0` and carrier code `5` stripped), and `+570770002600` loses `07` the same way and is
/// refused; `570500770077000` goes to `5700770077000`, then `570770077000`, which is refused. Notify gives the
/// same answers (fuzz/findings/README.md).
fn foreign_tv_number(number: &PhoneNumber) -> bool {
    !number.is_uk() && !number.is_international()
}

/// Asserts that passing `first` through `pass` again and again reaches a number `pass` keeps, each pass taking
/// away only zeros (so within as many passes as `first` has digits). `pass` gives the next number and whether
/// it is a [`foreign_tv_number`], or `None` when it refuses its input; it may refuse only a number that came
/// from a foreign TV number (`first` did when `from_tv`), as Notify does.
fn converges(first: &str, from_tv: bool, pass: impl Fn(&str) -> Option<(String, bool)>) {
    let (mut current, mut came_from_tv) = (first.to_owned(), from_tv);
    for _ in 0..=first.len() {
        let Some((next, tv)) = pass(&current) else {
            assert!(came_from_tv, "{first:?} passed on to {current:?}, which is refused");
            return;
        };
        if next == current {
            return;
        }
        assert!(
            next.len() < current.len() && drops_zeros_only(&current, &next),
            "{first:?}: {current:?} passed on to {next:?}"
        );
        (current, came_from_tv) = (next, tv);
    }
    panic!("{first:?} never settles: {current:?}");
}

/// Whether `to` is `from` with some of its zeros taken away, and nothing else.
fn drops_zeros_only(from: &str, to: &str) -> bool {
    let mut rest = from.chars();
    for c in to.chars() {
        loop {
            match rest.next() {
                Some(d) if d == c => break,
                Some('0') => {}
                _ => return false,
            }
        }
    }
    rest.all(|d| d == '0')
}
