//! What a server remembers between requests of who may see what: the principals behind the
//! session and API-token digests it has looked up, and the published areas. Everything is
//! forgotten as soon as the store's access version moves, which every change to accounts,
//! their areas, ended sessions and publications does on any server sharing the store
//! ([`h2h_store::Versions`]). So a request costs one round trip to the store (its versions)
//! rather than three or four, and a sign-out or a disabled account takes effect on the very
//! next request everywhere.
//!
//! Only what was found is remembered: an unknown digest is asked of the store each time, so
//! a session or token made a moment ago on another server is never refused from memory.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use h2h_domain::{AreaCode, Principal};

/// How many principals are remembered before memory is cleared and refilled: far more than
/// the signed-in people of a service, small enough that a flood of tokens costs little.
const MAX_REMEMBERED: usize = 10_000;

/// Whose secret a digest is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum SecretKind {
    /// A browser's session cookie.
    Session,
    /// A script's API token.
    Token,
}

#[derive(Debug, Default)]
struct Remembered {
    /// The access version everything below was read at or after.
    version: i64,
    principals: HashMap<(SecretKind, String), (Principal, Option<String>)>,
    published: Option<Arc<[AreaCode]>>,
}

/// The cache; one per served application.
#[derive(Debug, Default)]
pub struct AccessCache {
    remembered: Mutex<Remembered>,
}

impl AccessCache {
    fn lock(&self) -> std::sync::MutexGuard<'_, Remembered> {
        // What is remembered is rebuilt from the store, so a poisoned lock loses nothing.
        self.remembered
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Notes the access version a request read: anything remembered from before it is
    /// forgotten. An older version (a request that read it before another's newer one) changes
    /// nothing.
    pub(crate) fn observe(&self, version: i64) {
        let mut remembered = self.lock();
        if version > remembered.version {
            *remembered = Remembered {
                version,
                ..Remembered::default()
            };
        }
    }

    /// The principal remembered for the digest of a secret, if it was read at `version` and
    /// (for a session) has not expired by `now` (RFC 3339, as the store writes it).
    pub(crate) fn principal(
        &self,
        version: i64,
        kind: SecretKind,
        digest: &str,
        now: &str,
    ) -> Option<Principal> {
        let remembered = self.lock();
        if remembered.version != version {
            return None;
        }
        let (principal, expires_at) = remembered.principals.get(&(kind, digest.to_owned()))?;
        match expires_at {
            Some(expires_at) if expires_at.as_str() <= now => None,
            _ => Some(principal.clone()),
        }
    }

    /// Remembers what the store said of a digest, read after the request saw `version`;
    /// nothing when the cache has moved on since (it might be older than what it holds).
    pub(crate) fn remember_principal(
        &self,
        version: i64,
        kind: SecretKind,
        digest: &str,
        principal: &Principal,
        expires_at: Option<&str>,
    ) {
        let mut remembered = self.lock();
        if remembered.version != version {
            return;
        }
        if remembered.principals.len() >= MAX_REMEMBERED {
            remembered.principals.clear();
        }
        remembered.principals.insert(
            (kind, digest.to_owned()),
            (principal.clone(), expires_at.map(str::to_owned)),
        );
    }

    /// The published areas remembered at `version`.
    pub(crate) fn published(&self, version: i64) -> Option<Arc<[AreaCode]>> {
        let remembered = self.lock();
        (remembered.version == version)
            .then(|| remembered.published.clone())
            .flatten()
    }

    /// Remembers the published areas, read after the request saw `version`.
    pub(crate) fn remember_published(&self, version: i64, published: Arc<[AreaCode]>) {
        let mut remembered = self.lock();
        if remembered.version == version {
            remembered.published = Some(published);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use h2h_domain::{Role, Username};

    fn principal(name: &str) -> Principal {
        Principal {
            account_id: 1,
            username: Username::parse(name).unwrap(),
            display_name: name.to_owned(),
            role: Role::Viewer,
            areas: Vec::new(),
        }
    }

    #[test]
    fn a_principal_is_remembered_until_the_access_version_moves() {
        let cache = AccessCache::default();
        cache.observe(3);
        cache.remember_principal(3, SecretKind::Session, "d", &principal("ann"), None);
        let now = "2026-12-02T10:00:00Z";
        assert_eq!(
            cache.principal(3, SecretKind::Session, "d", now),
            Some(principal("ann"))
        );
        assert_eq!(cache.principal(3, SecretKind::Token, "d", now), None);
        cache.observe(4);
        assert_eq!(cache.principal(4, SecretKind::Session, "d", now), None);
        assert_eq!(cache.principal(3, SecretKind::Session, "d", now), None);
    }

    #[test]
    fn an_older_request_neither_clears_nor_fills_newer_memory() {
        let cache = AccessCache::default();
        cache.observe(5);
        cache.remember_principal(5, SecretKind::Token, "t", &principal("bob"), None);
        cache.observe(4);
        cache.remember_principal(4, SecretKind::Token, "u", &principal("cat"), None);
        cache.remember_published(4, Arc::from(Vec::new()));
        let now = "2026-12-02T10:00:00Z";
        assert!(cache.principal(5, SecretKind::Token, "t", now).is_some());
        assert!(cache.principal(5, SecretKind::Token, "u", now).is_none());
        assert!(cache.published(5).is_none());
    }

    #[test]
    fn a_session_is_not_remembered_past_its_expiry() {
        let cache = AccessCache::default();
        cache.observe(1);
        cache.remember_principal(
            1,
            SecretKind::Session,
            "s",
            &principal("dee"),
            Some("2026-12-02T10:00:00Z"),
        );
        assert!(
            cache
                .principal(1, SecretKind::Session, "s", "2026-12-02T09:59:59Z")
                .is_some()
        );
        assert!(
            cache
                .principal(1, SecretKind::Session, "s", "2026-12-02T10:00:00Z")
                .is_none()
        );
    }

    #[test]
    fn published_areas_are_remembered_at_their_version() {
        let cache = AccessCache::default();
        cache.observe(2);
        let areas: Arc<[AreaCode]> = Arc::from(vec![AreaCode::parse("E92000001").unwrap()]);
        cache.remember_published(2, Arc::clone(&areas));
        assert_eq!(cache.published(2).as_deref(), Some(&*areas));
        cache.observe(3);
        assert!(cache.published(3).is_none());
    }
}
