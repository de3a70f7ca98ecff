//! Tokenising and normalising address text for search and matching.

/// Common abbreviations folded to one spelling on both sides (index and query).
const SYNONYMS: [(&str, &str); 34] = [
    ("RD", "ROAD"),
    ("ST", "STREET"),
    ("STR", "STREET"),
    ("AVE", "AVENUE"),
    ("AV", "AVENUE"),
    ("LN", "LANE"),
    ("CL", "CLOSE"),
    ("DR", "DRIVE"),
    ("CRES", "CRESCENT"),
    ("CRESC", "CRESCENT"),
    ("CT", "COURT"),
    ("GDNS", "GARDENS"),
    ("GRN", "GREEN"),
    ("GR", "GROVE"),
    ("GRO", "GROVE"),
    ("PL", "PLACE"),
    ("SQ", "SQUARE"),
    ("TER", "TERRACE"),
    ("TERR", "TERRACE"),
    ("PK", "PARK"),
    ("HSE", "HOUSE"),
    ("HO", "HOUSE"),
    ("APARTMENT", "FLAT"),
    ("APT", "FLAT"),
    ("FLT", "FLAT"),
    ("BLDG", "BUILDING"),
    ("MT", "MOUNT"),
    ("WK", "WALK"),
    ("CNR", "CORNER"),
    ("UPR", "UPPER"),
    ("LWR", "LOWER"),
    ("NTH", "NORTH"),
    ("STH", "SOUTH"),
    ("SAINT", "STREET"),
];

/// Upper-cases, splits on anything that is not a letter or digit, folds abbreviations. `12-14 High St.` gives
/// `12`, `14`, `HIGH`, `STREET`. Digits glued to letters stay one token (`12A`, `SW1A`).
pub(crate) fn tokens(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric()).filter(|t| !t.is_empty()).map(|t| {
        // `004` and `4` are the same flat; `0` stays.
        let t = match t.trim_start_matches('0') {
            rest if rest.len() < t.len() && rest.starts_with(|c: char| c.is_ascii_digit()) => rest,
            _ => t,
        };
        let upper = t.to_uppercase();
        match SYNONYMS.iter().find(|(abbr, _)| *abbr == upper) {
            Some((_, full)) => (*full).to_owned(),
            None => upper,
        }
    })
}

/// True for a token that is a house number or number-with-suffix (`12`, `12A`, `1B`); not an ordinal (`1ST`,
/// `2ND` floor).
pub(crate) fn is_number_token(t: &str) -> bool {
    let b = t.as_bytes();
    let digits = b.iter().take_while(|c| c.is_ascii_digit()).count();
    digits > 0 && !matches!(&b[digits..], b"ST" | b"ND" | b"RD" | b"TH")
}

/// Levenshtein distance, stopping early once it exceeds `max`; returns `max + 1` then.
pub(crate) fn bounded_levenshtein(a: &str, b: &str, max: usize) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.len().abs_diff(b.len()) > max {
        return max + 1;
    }
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        cur[0] = i + 1;
        let mut row_min = cur[0];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
            row_min = row_min.min(cur[j + 1]);
        }
        if row_min > max {
            return max + 1;
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()].min(max + 1)
}

/// How many edits a query token of this length may carry and still match a term.
pub(crate) fn allowed_edits(token: &str) -> u32 {
    match token.chars().count() {
        0..=3 => 0,
        4..=7 => 1,
        _ => 2,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_fold_abbreviations_and_split_ranges() {
        let t: Vec<String> = tokens("12-14 High St., Flat 3a").collect();
        assert_eq!(t, ["12", "14", "HIGH", "STREET", "FLAT", "3A"]);
        let t: Vec<String> = tokens("Flat 004, 07b, 0, 0A").collect();
        assert_eq!(t, ["FLAT", "4", "7B", "0", "0A"]);
    }

    #[test]
    fn ordinals_are_not_house_numbers() {
        assert!(is_number_token("12"));
        assert!(is_number_token("12A"));
        assert!(is_number_token("0"));
        assert!(!is_number_token("1ST"));
        assert!(!is_number_token("22ND"));
        assert!(!is_number_token("FLAT"));
    }

    #[test]
    fn levenshtein_bounds() {
        assert_eq!(bounded_levenshtein("STREET", "STRET", 2), 1);
        assert_eq!(bounded_levenshtein("KITTEN", "SITTING", 3), 3);
        assert_eq!(bounded_levenshtein("A", "ABCDEF", 2), 3);
    }
}
