//! Look-ups and formatting shared by the pages and the API.

use h2h_domain::{Area, AreaKindFilter};

use crate::AppState;
use crate::error::WebError;

/// Areas of a kind (or tier group) whose name or code contains `query`, case-insensitively.
pub(crate) async fn find_areas(
    state: &AppState,
    kind: Option<&str>,
    query: Option<&str>,
) -> Result<Vec<Area>, WebError> {
    let filter = match kind.map(str::trim).filter(|k| !k.is_empty()) {
        Some(kind) => {
            Some(AreaKindFilter::parse(kind).map_err(|e| WebError::BadRequest(e.to_string()))?)
        }
        None => None,
    };
    let areas = state.store.areas(filter).await?;
    let query = query
        .map(|q| q.trim().to_lowercase())
        .filter(|q| !q.is_empty());
    Ok(match query {
        Some(q) => areas
            .into_iter()
            .filter(|a| {
                a.name.to_lowercase().contains(&q) || a.code.as_str().to_lowercase().contains(&q)
            })
            .collect(),
        None => areas,
    })
}

/// A whole number with thousands separators: `1234567` is `1,234,567`.
pub(crate) fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A figure as people read it: whole numbers with separators, others to their precision.
pub(crate) fn figure(value: f64) -> String {
    if value.fract() == 0.0 && value.abs() < 1e15 {
        let whole = format!("{value:.0}");
        match whole.strip_prefix('-') {
            Some(rest) => format!("-{}", thousands(rest.parse().unwrap_or_default())),
            None => thousands(whole.parse().unwrap_or_default()),
        }
    } else {
        format!("{value}")
    }
}

/// An optional population for a table cell.
pub(crate) fn population(value: Option<u64>) -> String {
    value.map_or_else(|| String::from("Not available"), thousands)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_get_thousands_separators() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(60_854_727), "60,854,727");
        assert_eq!(figure(54_500.0), "54,500");
        assert_eq!(figure(-1200.0), "-1,200");
        assert_eq!(figure(2.5), "2.5");
        assert_eq!(population(None), "Not available");
    }
}
