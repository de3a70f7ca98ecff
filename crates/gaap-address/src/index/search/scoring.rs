//! Scoring one candidate address against a messy query.

use super::SearchIndex;
use super::candidate::{AddressWords, Candidate};
use super::model::ScoreModel;
use crate::index::text::{allowed_edits, bounded_levenshtein, is_number_token, tokens};
use crate::types::address::Address;
use crate::types::postcode::Postcode;

/// The address's house numbers: its building number and any number in its name (`12A`).
fn house_numbers<'c>(c: &Candidate<'c>) -> Vec<&'c str> {
    let named = c.building_name.iter().flatten().copied().filter(|t| is_number_token(t));
    c.number.iter().copied().chain(named).collect()
}

/// Query tokens with their weights, for scoring candidates.
pub(super) struct QueryProfile<'q> {
    pub(super) tokens: Vec<(&'q str, f32)>,
    total: f32,
    /// Numbers the query gives as flat numbers (`FLAT 7`).
    flats: Vec<&'q str>,
    /// The query's other numbers.
    pub(super) others: Vec<&'q str>,
    /// Numbers after a flat word and a comma (`FLAT, 26`): a flat with no number, in the house with this one.
    houses: Vec<&'q str>,
    /// True when the query says which flat or part of a house it is (`FLAT 2`, `FLAT B`, `FIRST FLOOR`, `REAR OF`).
    states_flat: bool,
    /// The weights and factors scored with.
    model: &'q ScoreModel,
    /// The postcode the input states.
    pub(super) stated: Option<Postcode>,
    /// The term id of each token, when it is a term of the index.
    term_ids: Vec<Option<u32>>,
}

/// The words of a candidate's record: their term ids (ascending) and their text.
pub(super) struct Words<'w> {
    pub(super) ids: &'w [u32],
    pub(super) text: &'w [&'w str],
}

/// Words that say an address is a part of a house.
const FLAT_WORDS: [&str; 5] = ["FLOOR", "MAISONETTE", "BASEMENT", "REAR", "OVER"];

/// A lettered house with no flat (`28A`, its letter in the number or the number in its name) read as a flat of
/// house `28`, with the label it drops. The flat is `FLAT A` when `said` says the query has the letter, else just
/// `FLAT`: a record that gives a flat number (`FLAT 2, 28`) names no letter, as `FLAT, 28` names none.
fn flat_of_lettered(a: &Address, said: impl Fn(&str) -> bool) -> Option<(Address, String)> {
    if a.sub_building.is_some() || a.building_number_end.is_some() {
        return None;
    }
    let (number, letter, label) = match (a.building_number, a.building_number_suffix.as_deref()) {
        (Some(n), Some(l)) => (n, l.to_owned(), a.number_label()?),
        (None, None) => {
            let name = a.building_name.as_deref()?;
            let mut words = tokens(name);
            let label = words.next().filter(|w| is_number_token(w))?;
            if words.next().is_some() {
                return None;
            }
            let stem = number_stem(&label);
            let letter = &label[stem.len()..];
            if letter.is_empty() || !letter.bytes().all(|b| b.is_ascii_alphabetic()) {
                return None;
            }
            (stem.parse().ok()?, letter.to_owned(), label.clone())
        }
        _ => return None,
    };
    let mut flat = a.clone();
    flat.sub_building =
        Some(if said(&letter) { format!("FLAT {letter}") } else { "FLAT".to_owned() });
    flat.building_number = Some(number);
    flat.building_number_suffix = None;
    if a.building_number.is_none() {
        flat.building_name = None;
    }
    Some((flat, label))
}

impl<'q> QueryProfile<'q> {
    /// `starts` marks the tokens that open a comma-separated part of the query; `stated` is the postcode the
    /// input states.
    pub(super) fn new(
        s: &SearchIndex,
        qt: &'q [String],
        starts: &[bool],
        stated: Option<Postcode>,
        model: &'q ScoreModel,
    ) -> Self {
        let m = model;
        let tokens: Vec<(&str, f32)> = qt
            .iter()
            .map(|t| {
                let w = if is_number_token(t) {
                    m.number_weight
                } else {
                    s.word_idf(t).min(m.word_weight_cap)
                };
                (t.as_str(), w)
            })
            .collect();
        let total = tokens.iter().map(|(_, w)| w).sum();
        let (mut flats, mut others, mut houses) = (Vec::new(), Vec::new(), Vec::new());
        for (i, t) in qt.iter().enumerate().filter(|(_, t)| is_number_token(t)) {
            let after_flat = i > 0 && qt[i - 1] == "FLAT";
            if after_flat && starts[i] {
                houses.push(t.as_str());
            }
            if after_flat && !starts[i] { &mut flats } else { &mut others }.push(t.as_str());
        }
        // `FLAT 2`, `FLAT B`, `FIRST FLOOR FLAT`; the word `FLAT` alone (`FLAT, 26`) says too little.
        let flat_letter = (1..qt.len()).any(|i| {
            qt[i - 1] == "FLAT"
                && !starts[i]
                && qt[i].len() == 1
                && qt[i].bytes().all(|b| b.is_ascii_alphabetic())
        });
        let states_flat =
            !flats.is_empty() || flat_letter || qt.iter().any(|t| FLAT_WORDS.contains(&t.as_str()));
        let term_ids = qt.iter().map(|t| u32::try_from(s.terms.get(t)?).ok()).collect();
        Self { tokens, total, flats, others, houses, states_flat, model, stated, term_ids }
    }

    /// 1.0 when the address has no locality or the query mentions it; a little less otherwise (a locality is
    /// usually written when there is one).
    fn locality_said(&self, c: &Candidate<'_>) -> f32 {
        let m = self.model;
        let mut any = false;
        for l in c.localities.iter().flatten() {
            any = true;
            if l.iter().any(|t| self.tokens.iter().any(|(q, _)| q == t)) {
                return 1.0;
            }
        }
        if any { m.locality_unsaid } else { 1.0 }
    }

    /// False when the address has a building name and the query says less than half of it by word weight
    /// (`LODGE` does not say `GROVE LODGE`; a word of the post town said once is the town).
    fn building_said(&self, s: &SearchIndex, c: &Candidate<'_>) -> bool {
        let Some(name) = c.building_name.as_deref() else { return true };
        let (mut said, mut all) = (0.0, 0.0);
        for &n in name {
            let w = s.word_idf(n);
            let times = self
                .tokens
                .iter()
                .filter(|(q, _)| self.model.best_quality(q, &[n]).is_some())
                .count();
            all += w;
            if times > usize::from(c.town.contains(&n)) {
                said += w;
            }
        }
        said >= 0.5 * all
    }

    /// True when the address is a house known by its name alone (no flat, no number), the query has no numbers
    /// either, and it says the name (see [`Self::building_said`]).
    fn names_house(&self, s: &SearchIndex, c: &Candidate<'_>) -> bool {
        c.building_name.is_some()
            && c.sub_building.is_none()
            && !c.premise.iter().any(|p| is_number_token(p))
            && !self.tokens.iter().any(|(t, _)| is_number_token(t))
            && self.building_said(s, c)
    }

    /// 1.0 unless the query names a flat (`FLAT 7`) and the address is a house whose number is the flat's
    /// (`7 VICTORIA WAY`, `7A`): a flat number and a house number name different premises; or another numbered
    /// flat.
    fn flat_role(&self, c: &Candidate<'_>) -> f32 {
        let m = self.model;
        if let Some(sub) = c.sub_building.as_deref()
            && !self.houses.is_empty()
        {
            // `FLAT, 26` is not flat 26.
            let house = house_numbers(c);
            let flat_only = |h: &&str| {
                sub.contains(h) && !house.iter().any(|n| number_stem(n) == number_stem(h))
            };
            if self.houses.iter().any(flat_only) {
                return m.flat_as_house;
            }
        }
        if self.flats.is_empty() {
            return 1.0;
        }
        if let Some(sub) = c.sub_building.as_deref() {
            // `FLAT 15` is not flat 6 of the same block.
            let mut own = sub.iter().filter(|t| is_number_token(t)).peekable();
            let other = own.peek().is_some() && !own.any(|t| self.flats.contains(t));
            return if other { m.number_conflict } else { 1.0 };
        }
        let house = house_numbers(c);
        if self.flats.iter().any(|f| house.iter().any(|h| number_stem(h) == number_stem(f))) {
            m.flat_as_house
        } else {
            1.0
        }
    }

    /// 1.0 unless the query carries a house or flat number that the address lacks: a different number in the
    /// same street is a different premise, whatever the rest of the text says; no number at all is weaker
    /// evidence against.
    fn number_agreement(&self, premise: &[&str]) -> f32 {
        let m = self.model;
        let query_numbers = || self.tokens.iter().map(|(t, _)| *t).filter(|t| is_number_token(t));
        if query_numbers().next().is_none() {
            return 1.0;
        }
        let mut own = premise.iter().filter(|t| is_number_token(t)).peekable();
        if own.peek().is_none() {
            return m.number_missing;
        }
        if query_numbers().any(|q| premise.contains(&q)) {
            1.0
        } else if query_numbers()
            .any(|q| premise.iter().any(|p| is_number_token(p) && number_stem(p) == number_stem(q)))
        {
            // `8` for `8A`: the same building number, but maybe another premise.
            m.suffix_only
        } else {
            m.number_conflict
        }
    }

    /// True when the query carries numbers and they are exactly the address's own (as sets), in their roles:
    /// a stated flat number (`FLAT 7`) is the address's flat's, and the address's house number is not stated
    /// as a flat's. The counts agree too.
    fn same_numbers(&self, c: &Candidate<'_>) -> bool {
        let (premise, sub) = (&c.premise, c.sub_building.as_deref().unwrap_or_default());
        if !self.flats.iter().all(|f| sub.contains(f)) {
            return false;
        }
        let house = house_numbers(c);
        if !house.iter().all(|h| self.others.contains(h)) {
            return false;
        }
        // As many numbers on each side: `FLAT 2, 2` is not flat 2 of a block without a house number.
        let own = sub.iter().filter(|t| is_number_token(t)).count() + house.len();
        if own != self.flats.len() + self.others.len() {
            return false;
        }
        let mut any = false;
        for (q, _) in self.tokens.iter().filter(|(t, _)| is_number_token(t)) {
            if !premise.contains(q) {
                return false;
            }
            any = true;
        }
        any && premise
            .iter()
            .filter(|p| is_number_token(p))
            .all(|p| self.tokens.iter().any(|(q, _)| q == p))
    }

    /// Harmonic mean of how much of the query the address explains and how much of the address's premise and
    /// street the query mentions.
    fn similarity(&self, s: &SearchIndex, words: &Words<'_>, c: &Candidate<'_>) -> f32 {
        let m = self.model;
        let mut matched = 0.0f32;
        let mut used: Vec<(&str, f32)> = Vec::with_capacity(self.tokens.len() + 2);
        for ((t, w), id) in self.tokens.iter().zip(&self.term_ids) {
            // A query word that is one of the record's terms is an exact match, found by id.
            let exact =
                id.filter(|id| words.ids.binary_search(id).is_ok()).and_then(|id| s.term(id));
            let best = match exact {
                Some(term) => Some((1.0, term)),
                None => m.best_quality(t, words.text),
            };
            if let Some((q, term)) = best {
                matched += w * q;
                used.push((term, q));
            } else if let Some((first, second)) = joined_words(t, &c.premise) {
                // Two words run together (`MONTAGUELODGE`).
                matched += w * m.joined;
                used.push((first, m.joined));
                used.push((second, m.joined));
            }
        }
        let precision = if self.total > 0.0 { matched / self.total } else { 0.0 };
        // A word of the post town said once (`LONDON`) is the town, not the street (`LONDON DRIVE`).
        let mut covered = 0.0f32;
        let mut premise_total = 0.0f32;
        // The street's own words (not also in the premise): how much they weigh and whether any is said.
        let (mut street_weight, mut street_said) = (0.0f32, false);
        for (i, &p) in c.premise.iter().enumerate() {
            let w =
                if is_number_token(p) { m.number_weight } else { s.word_idf(p).min(m.recall_cap) };
            premise_total += w;
            let q =
                used.iter().filter(|(term, _)| *term == p).map(|(_, q)| *q).fold(0.0f32, f32::max);
            if i >= c.street_from && !is_number_token(p) {
                street_weight += w;
                street_said |= q > 0.0;
            }
            if c.town.contains(&p) && self.tokens.iter().filter(|(t, _)| *t == p).count() < 2 {
                continue;
            }
            covered += w * q;
        }
        // A street left out whole is one common slip, whatever its length; one said in part is rarer.
        if !street_said {
            premise_total -= m.street_unsaid_discount * street_weight;
        }
        let recall = if premise_total > 0.0 { covered / premise_total } else { precision };
        // F-beta with beta = 0.5: what the query says counts more than what it leaves out.
        let b2 = 0.25;
        let denominator = b2 * precision + recall;
        if denominator == 0.0 { 0.0 } else { (1.0 + b2) * precision * recall / denominator }
    }
}

impl QueryProfile<'_> {
    /// The score of one candidate address, given the words of its record: as recorded, or, for a lettered
    /// house when the query states a flat, as a flat of the bare number. `address` gives the candidate as an
    /// `Address`, which only that second reading needs.
    pub(super) fn score_candidate(
        &self,
        s: &SearchIndex,
        c: &Candidate<'_>,
        words: &Words<'_>,
        address: impl FnOnce() -> Address,
    ) -> f32 {
        let mut score = self.score(s, c, words);
        // `FLAT 2, 28` or `FIRST FLOOR FLAT, 28` for `28A`: a lettered house is often a flat of the house
        // with the bare number, and written as one.
        if self.states_flat
            && c.may_be_lettered
            && let Some((flat, label)) =
                flat_of_lettered(&address(), |l| self.tokens.iter().any(|(t, _)| *t == l))
            && let Some(number) = flat.building_number.map(|n| n.to_string())
            // The query says the bare number as a house's (`FLAT 1, ARTHUR WAY` is no flat of `1A`).
            && self.others.contains(&number.as_str())
        {
            let flat_words = AddressWords::of(&flat);
            let flat = flat_words.candidate();
            let mut text: Vec<&str> = words.text.iter().copied().filter(|w| *w != label).collect();
            text.extend(flat.premise.iter().copied());
            let words = Words { ids: &[], text: &text };
            score = score.max(self.model.lettered_as_flat * self.score(s, &flat, &words));
        }
        score
    }

    /// Scores one address, given the words of its record.
    fn score(&self, s: &SearchIndex, c: &Candidate<'_>, words: &Words<'_>) -> f32 {
        let m = self.model;
        let mut score = self.similarity(s, words, c)
            * self.number_agreement(&c.premise)
            * self.flat_role(c)
            * self.locality_said(c);
        match (self.stated, c.postcode) {
            (Some(q), Some(d)) if q == d => {
                // Postcode and house/flat numbers together name a premise, even when the street or a house
                // name is wrong or added.
                if self.same_numbers(c) {
                    // A house number is a stronger key than a flat number alone (every block has a flat 1),
                    // which names a flat only with its block.
                    let key = if c.has_house_number {
                        m.house_key
                    } else if self.building_said(s, c) {
                        m.number_key
                    } else {
                        0.0
                    };
                    score += key * (1.0 - score);
                } else if self.names_house(s, c) {
                    // So do postcode and a house name, when neither side has a number.
                    score += m.house_key * (1.0 - score);
                }
                score = m.pc_text * score + (1.0 - m.pc_text);
            }
            (Some(q), Some(d)) => {
                let mut sim = m.postcode_similarity(&q, &d);
                // Near the stated postcode, a house number and street still go a long way.
                if sim >= m.pcs_outward && self.same_numbers(c) && c.has_house_number {
                    // Every word and number said, both ways: only the postcode's inward part is off, however
                    // far within the outward code.
                    if score >= m.exact_text {
                        sim = sim.max(m.pcs_sector);
                    }
                    score += m.near_key * (1.0 - score);
                }
                score *= m.pc_other + (m.pc_other_top - m.pc_other) * sim;
            }
            (Some(_), None) => score *= m.pc_missing,
            (None, _) => score *= m.pc_unstated,
        }
        score
    }
}

impl ScoreModel {
    /// 1.0 for the same postcode. A wrong postcode is most often another unit in the same sector, then one keying
    /// slip anywhere, then another sector of the same outward code; the further apart, the lower.
    pub(super) fn postcode_similarity(&self, a: &Postcode, b: &Postcode) -> f32 {
        let m = self;
        if a == b {
            return 1.0;
        }
        if a.sector() == b.sector() {
            return m.pcs_sector;
        }
        if within_one_edit(a.as_str().as_bytes(), b.as_str().as_bytes()) {
            m.pcs_slip
        } else if a.outward() == b.outward() {
            m.pcs_outward
        } else if a.district() == b.district() {
            m.pcs_district
        } else if a.area() == b.area() {
            m.pcs_area
        } else {
            0.0
        }
    }

    /// The best match quality of a query token among terms: exact 1.0, fuzzy less.
    pub(super) fn best_quality<'t>(
        &self,
        token: &str,
        terms: &[&'t str],
    ) -> Option<(f32, &'t str)> {
        if let Some(exact) = terms.iter().find(|t| **t == token) {
            return Some((1.0, exact));
        }
        let m = self;
        let mut best: Option<(f32, &'t str)> = None;
        let number = is_number_token(token);
        let edits = if number { 0 } else { allowed_edits(token) as usize };
        for &term in terms {
            let q = if term == token {
                1.0
            } else if number && is_number_token(term) && number_stem(term) == number_stem(token) {
                // `52A` for `52` (a suffix added or dropped): the same building number.
                m.number_suffix
            } else if letter_prefixed(token) == Some(term) {
                // `A2` for flat `2`: a block's letter written before the flat number.
                m.letter_prefixed
            } else if edits > 0 {
                let d = bounded_levenshtein(token, term, edits);
                if d <= edits {
                    0.9 - 0.15 * d as f32
                } else if term.len() > token.len() && term.starts_with(token) {
                    // A shortened name (`GREEN` for `GREENACRES`).
                    m.shortened
                } else {
                    continue;
                }
            } else {
                continue;
            };
            if best.is_none_or(|(b, _)| q > b) {
                best = Some((q, term));
            }
        }
        best
    }
}

/// True when one substitution, insertion or deletion turns `a` into `b` (or they are equal).
pub(super) fn within_one_edit(a: &[u8], b: &[u8]) -> bool {
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    if long.len() - short.len() > 1 {
        return false;
    }
    let head = short.iter().zip(long).take_while(|(x, y)| x == y).count();
    if short.len() == long.len() {
        short[head..].iter().skip(1).eq(long[head..].iter().skip(1))
    } else {
        short[head..] == long[head + 1..]
    }
}

/// The two premise words that `token` runs together (`MONTAGUELODGE`).
fn joined_words<'p>(token: &str, premise: &[&'p str]) -> Option<(&'p str, &'p str)> {
    let splits = |p: &[&str]| {
        token.len() == p[0].len() + p[1].len() && token.starts_with(p[0]) && token.ends_with(p[1])
    };
    if let Some(pair) = premise.windows(2).find(|p| splits(p)) {
        return Some((pair[0], pair[1]));
    }
    // Premise words are deduplicated, so neighbours in a field may not be neighbours here (`JAMES COURT` after
    // `GREEN COURT`): any second word will do.
    premise.iter().filter(|p| token.len() > p.len() && token.starts_with(**p)).find_map(|&first| {
        let rest = &token[first.len()..];
        premise.iter().find(|p| **p == rest).map(|&second| (first, second))
    })
}

/// The number of a token that is one letter and then digits (`2` of `A2`).
pub(super) fn letter_prefixed(t: &str) -> Option<&str> {
    let rest = t.strip_prefix(|c: char| c.is_ascii_alphabetic())?;
    (!rest.is_empty() && rest.bytes().all(|b| b.is_ascii_digit())).then_some(rest)
}

/// The leading digits of a number token (`52` of `52A`).
pub(super) fn number_stem(t: &str) -> &str {
    let end = t.bytes().position(|b| !b.is_ascii_digit()).unwrap_or(t.len());
    &t[..end]
}
