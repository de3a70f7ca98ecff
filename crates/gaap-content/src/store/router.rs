//! Path lookup as content-store's `FindByPath` does it: an exact `base_path` wins, then an exact route or
//! redirect, then the longest whole-segment prefix route. A match on anything but the base_path answers
//! `303 See Other` to the canonical path.

use std::collections::HashMap;

use serde::Serialize;

use super::{Unpublishing, UnpublishingType};
use crate::types::{Redirect, Route, RouteType};

/// One routable item.
#[derive(Debug, Clone)]
pub struct RouteEntry {
    /// Document id.
    pub content_id: String,
    /// Locale.
    pub locale: String,
    /// Canonical path.
    pub base_path: String,
    /// Routes.
    pub routes: Vec<Route>,
    /// Redirects.
    pub redirects: Vec<Redirect>,
    /// Set when unpublished.
    pub unpublishing: Option<Unpublishing>,
    /// A `redirect` schema item.
    pub is_redirect: bool,
}

/// The answer for a path.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Resolution {
    /// HTTP status: 200, 301, 303, 404 (vanished) or 410 (gone).
    pub status: u16,
    /// Document id.
    pub content_id: String,
    /// Locale.
    pub locale: String,
    /// The item's canonical path.
    pub base_path: String,
    /// Where to go, for 301 and 303.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
}

#[derive(Debug, Clone, Copy)]
enum Target {
    Route,
    Redirect(usize),
}

/// An in-memory router over a content store's items.
#[derive(Debug, Clone, Default)]
pub struct Router {
    entries: Vec<RouteEntry>,
    by_base_path: HashMap<String, usize>,
    exact: HashMap<String, (usize, Target)>,
    prefix: HashMap<String, (usize, Target)>,
}

impl Router {
    /// Indexes entries. Later entries do not replace earlier ones on the same path.
    pub fn new(entries: Vec<RouteEntry>) -> Self {
        let mut router = Self { entries, ..Self::default() };
        for (i, entry) in router.entries.iter().enumerate() {
            router.by_base_path.entry(entry.base_path.clone()).or_insert(i);
            for route in &entry.routes {
                let map = match route.route_type {
                    RouteType::Exact => &mut router.exact,
                    RouteType::Prefix => &mut router.prefix,
                };
                map.entry(route.path.clone()).or_insert((i, Target::Route));
                // A prefix route also matches its own path exactly.
                if route.route_type == RouteType::Prefix {
                    router.exact.entry(route.path.clone()).or_insert((i, Target::Route));
                }
            }
            for (r, redirect) in entry.redirects.iter().enumerate() {
                let map = match redirect.route_type {
                    RouteType::Exact => &mut router.exact,
                    RouteType::Prefix => &mut router.prefix,
                };
                map.entry(redirect.path.clone()).or_insert((i, Target::Redirect(r)));
            }
        }
        router
    }

    /// Resolves a request path (query and fragment ignored).
    pub fn resolve(&self, path: &str) -> Option<Resolution> {
        let path = path.split(['?', '#']).next().unwrap_or(path);
        if let Some(&i) = self.by_base_path.get(path) {
            let entry = self.entries.get(i)?;
            if entry.is_redirect
                && let Some(redirect) = entry.redirects.iter().find(|r| r.path == path)
            {
                return Some(self.answer(entry, 301, Some(redirect.destination.clone())));
            }
            return Some(self.canonical(entry));
        }
        let found = self.exact.get(path).copied().or_else(|| {
            // Whole-segment prefixes, longest first: /a/b/c, /a/b, /a.
            let mut candidate = path;
            loop {
                if let Some(hit) = self.prefix.get(candidate) {
                    return Some(*hit);
                }
                let cut = candidate.rfind('/')?;
                if cut == 0 {
                    return self.prefix.get("/").copied();
                }
                candidate = &candidate[..cut];
            }
        });
        let (i, target) = found?;
        let entry = self.entries.get(i)?;
        match target {
            Target::Redirect(r) => {
                let redirect = entry.redirects.get(r)?;
                Some(self.answer(entry, 301, Some(redirect_destination(redirect, path))))
            }
            Target::Route => {
                let gone = self.canonical(entry);
                if gone.status != 200 {
                    return Some(gone);
                }
                Some(self.answer(entry, 303, Some(entry.base_path.clone())))
            }
        }
    }

    fn canonical(&self, entry: &RouteEntry) -> Resolution {
        match entry.unpublishing.as_ref().map(|u| (u.kind, u)) {
            Some((UnpublishingType::Gone, _)) => self.answer(entry, 410, None),
            Some((UnpublishingType::Vanish | UnpublishingType::Substitute, _)) => {
                self.answer(entry, 404, None)
            }
            Some((UnpublishingType::Redirect, u)) => {
                self.answer(entry, 301, u.alternative_path.clone())
            }
            Some((UnpublishingType::Withdrawal, _)) | None => self.answer(entry, 200, None),
        }
    }

    fn answer(&self, entry: &RouteEntry, status: u16, location: Option<String>) -> Resolution {
        Resolution {
            status,
            content_id: entry.content_id.clone(),
            locale: entry.locale.clone(),
            base_path: entry.base_path.clone(),
            location,
        }
    }
}

fn redirect_destination(redirect: &Redirect, path: &str) -> String {
    let preserve = redirect.segments_mode != Some(crate::types::SegmentsMode::Ignore);
    if redirect.route_type == RouteType::Prefix && preserve {
        let rest = path.strip_prefix(redirect.path.as_str()).unwrap_or_default();
        format!("{}{rest}", redirect.destination)
    } else {
        redirect.destination.clone()
    }
}
