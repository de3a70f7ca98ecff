//! [`ScoreModel`]: every weight and factor of match scoring and candidate retrieval, in one place.

/// The weights and factors of [`crate::Index::match_address`]. Scores are simple weighted sums and products of
/// these; [`ScoreModel::DEFAULT`] is the one the index uses.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct ScoreModel {
    /// Weight of a number token in the query and in an address.
    pub(crate) number_weight: f32,
    /// Most weight (idf) one query word carries.
    pub(crate) word_weight_cap: f32,
    /// Most weight one address word carries in what the query leaves out: a rare street word unsaid costs no
    /// more than a common one.
    pub(crate) recall_cap: f32,
    /// Quality of a query word that is two words of the address run together (`MONTAGUELODGE`).
    pub(crate) joined: f32,
    /// Share of the score that text carries when the stated postcode is the address's own.
    pub(crate) pc_text: f32,
    /// Postcode factor floor for an address under a different postcode (rising to `pc_other_top` as the
    /// postcodes agree).
    pub(crate) pc_other: f32,
    /// Postcode factor of an address under another postcode that agrees with the stated one in all but unit.
    pub(crate) pc_other_top: f32,
    /// Factor when the query states a postcode and the address has none.
    pub(crate) pc_missing: f32,
    /// Factor when the query states no postcode.
    pub(crate) pc_unstated: f32,
    /// Share of the remaining gap closed when postcode and numbers agree exactly.
    pub(crate) number_key: f32,
    /// As `number_key` when the numbers include a house number: a house name is added far more often than a
    /// number.
    pub(crate) house_key: f32,
    /// As `house_key` for an address under the stated outward code but another postcode.
    pub(crate) near_key: f32,
    /// Factor when the query carries a number and the address has none (a house name with a number added).
    pub(crate) number_missing: f32,
    /// Share of a street's weight forgiven when the query leaves the whole street out.
    pub(crate) street_unsaid_discount: f32,
    /// Factor when the address has a locality the query does not mention.
    pub(crate) locality_unsaid: f32,
    /// Factor when the query's flat number is the address's house number.
    pub(crate) flat_as_house: f32,
    /// Factor when the query's numbers and the address's share only a building number, not its suffix.
    pub(crate) suffix_only: f32,
    /// Factor when the query's numbers and the address's numbers are both present and share none.
    pub(crate) number_conflict: f32,
    /// Factor on the score of a lettered house read as a flat of the bare number: the address as recorded,
    /// when it scores as well, comes first.
    pub(crate) lettered_as_flat: f32,
    /// Text score of an address whose words and numbers the query says exactly, and no others.
    pub(crate) exact_text: f32,
    /// A best score at or over this inside the stated postcode ends the search.
    pub(crate) confident: f32,
    /// A best score under this after the wider search's first round asks for a second, on more of the query's
    /// words.
    pub(crate) weak: f32,
    /// Query words matching more postings than this are too common to find candidates by.
    pub(crate) too_common: usize,
    /// Candidates by rare-word hits considered in each round of the wider search.
    pub(crate) wider: usize,
    /// Candidates under the stated outward code always considered in the wider search.
    pub(crate) near: usize,
    /// Added to the hit score of a candidate under the stated outward code with the query's house number.
    pub(crate) near_number: f32,
    /// Candidates under the stated outward code with the query's house number always considered besides.
    pub(crate) near_numbered: usize,
    /// Candidates in the stated sector sharing most query words, always considered besides.
    pub(crate) sector_near: usize,
    /// Postcode similarity of another unit in the same sector (`W1K 1AL` for `W1K 1PZ`).
    pub(crate) pcs_sector: f32,
    /// One character off elsewhere (`W1K 2PZ`, `W2K 1PZ`).
    pub(crate) pcs_slip: f32,
    /// Same outward code, another sector.
    pub(crate) pcs_outward: f32,
    /// Same district, another sub-district (`SW1A`, `SW1W`).
    pub(crate) pcs_district: f32,
    /// Same area (`SW`).
    pub(crate) pcs_area: f32,
    /// Quality of `A2` for `2`: a block's letter written before the flat number.
    pub(crate) letter_prefixed: f32,
    /// Quality of a query word that is the start of a longer word in the address (`GREEN` for `GREENACRES`).
    pub(crate) shortened: f32,
    /// Quality of a number matching with its suffix added or dropped (`52A` for `52`).
    pub(crate) number_suffix: f32,
}

impl ScoreModel {
    /// The model the index scores with.
    pub(crate) const DEFAULT: Self = Self {
        number_weight: 3.0,
        word_weight_cap: 6.0,
        recall_cap: 2.0,
        joined: 0.9,
        pc_text: 0.6,
        pc_other: 0.6,
        pc_other_top: 0.95,
        pc_missing: 0.7,
        pc_unstated: 0.95,
        number_key: 0.35,
        house_key: 0.5,
        near_key: 0.35,
        number_missing: 0.8,
        street_unsaid_discount: 0.5,
        locality_unsaid: 0.99,
        flat_as_house: 0.8,
        suffix_only: 0.85,
        number_conflict: 0.85,
        lettered_as_flat: 0.999,
        exact_text: 0.999,
        confident: 0.95,
        weak: 0.8,
        too_common: 20_000,
        wider: 32,
        near: 16,
        near_number: 1.0,
        near_numbered: 8,
        sector_near: 8,
        pcs_sector: 0.9,
        pcs_slip: 0.85,
        pcs_outward: 0.7,
        pcs_district: 0.5,
        pcs_area: 0.3,
        letter_prefixed: 0.9,
        shortened: 0.5,
        number_suffix: 0.6,
    };
}
