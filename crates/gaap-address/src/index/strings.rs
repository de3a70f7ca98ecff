//! Interned strings: one UTF-8 blob with end offsets. Ids are 1-based; 0 means absent.

use std::collections::HashMap;

/// Strings by id, stored once each.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct StringTable {
    pub(crate) blob: String,
    /// End offset in `blob` of string `i + 1`.
    pub(crate) ends: Vec<u64>,
}

impl StringTable {
    /// The string with this id, or `None` for 0 and unknown ids.
    pub(crate) fn get(&self, id: u32) -> Option<&str> {
        let i = (id as usize).checked_sub(1)?;
        let end = *self.ends.get(i)? as usize;
        let start = match i.checked_sub(1) {
            Some(p) => *self.ends.get(p)? as usize,
            None => 0,
        };
        self.blob.get(start..end)
    }

    /// Number of strings.
    pub(crate) fn len(&self) -> usize {
        self.ends.len()
    }

    /// Appends a string (not interned) and returns its id.
    pub(crate) fn push(&mut self, s: &str) -> u32 {
        self.blob.push_str(s);
        self.ends.push(self.blob.len() as u64);
        self.ends.len() as u32
    }

    /// True when the offsets are in order and every string is whole UTF-8.
    pub(crate) fn is_consistent(&self) -> bool {
        self.ends.windows(2).all(|w| w[0] <= w[1])
            && self.ends.last().is_none_or(|&e| e as usize == self.blob.len())
            && self.ends.iter().all(|&e| self.blob.is_char_boundary(e as usize))
    }
}

/// Builds a [`StringTable`], giving equal strings equal ids.
#[derive(Debug, Default)]
pub(crate) struct Interner {
    pub(crate) table: StringTable,
    ids: HashMap<Box<str>, u32>,
}

impl Interner {
    /// The id of `s`, adding it when new; 0 for `None`.
    pub(crate) fn id(&mut self, s: Option<&str>) -> u32 {
        let Some(s) = s else { return 0 };
        if let Some(&id) = self.ids.get(s) {
            return id;
        }
        let id = self.table.push(s);
        self.ids.insert(s.into(), id);
        id
    }

    /// The finished table (the lookup map is dropped).
    pub(crate) fn finish(self) -> StringTable {
        self.table
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_stable_and_one_based() {
        let mut i = Interner::default();
        assert_eq!(i.id(None), 0);
        let a = i.id(Some("HIGH STREET"));
        let b = i.id(Some("ÿ CLOSE"));
        assert_eq!(i.id(Some("HIGH STREET")), a);
        let t = i.finish();
        assert_eq!((a, b), (1, 2));
        assert_eq!(t.get(a), Some("HIGH STREET"));
        assert_eq!(t.get(b), Some("ÿ CLOSE"));
        assert_eq!(t.get(0), None);
        assert_eq!(t.get(3), None);
        assert!(t.is_consistent());
    }

    #[test]
    fn a_split_character_is_inconsistent() {
        let t = StringTable { blob: "ÿ".into(), ends: vec![1, 2] };
        assert!(!t.is_consistent());
    }
}
