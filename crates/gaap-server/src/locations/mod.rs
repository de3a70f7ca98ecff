//! The GOV.UK-compatible local-authority API, answered by gaap-content's resolver.

use axum::Router;

use crate::state::AppState;

pub(crate) fn router() -> Router<AppState> {
    Router::new()
}
