//! What the store keeps of aggregate returns: submissions as received, their rejected rows,
//! and the revisions of every value.

use std::io::{Read as _, Write as _};

use h2h_domain::{Observation, ValueKey};

/// A submitted file's bytes as the store keeps them: deflated (zlib), so that a large
/// return costs a seventh of its size to write. Made before the transaction that records
/// it, so an importer can pack it on one core while it checks the rows on the others.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackedContent {
    encoding: &'static str,
    bytes: Vec<u8>,
}

impl PackedContent {
    /// The encoding name stored for deflated content.
    const DEFLATE: &'static str = "deflate";
    /// The encoding name of content stored as received.
    const IDENTITY: &'static str = "identity";

    /// Packs a file's bytes as received. Fast deflate: the text of returns shrinks about
    /// six-fold at level 1, and higher levels cost more time than the writes they save.
    pub fn pack(received: &[u8]) -> Self {
        let mut encoder = flate2::write::ZlibEncoder::new(
            Vec::with_capacity(received.len() / 4),
            flate2::Compression::fast(),
        );
        match encoder.write_all(received).and_then(|()| encoder.finish()) {
            Ok(bytes) => Self {
                encoding: Self::DEFLATE,
                bytes,
            },
            // Writing to memory does not fail; if it ever did, keep the bytes as they came.
            Err(_) => Self {
                encoding: Self::IDENTITY,
                bytes: received.to_vec(),
            },
        }
    }

    /// The name of the encoding, as stored.
    pub fn encoding(&self) -> &'static str {
        self.encoding
    }

    /// The bytes as stored.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The bytes as received, from what the store holds under `encoding`.
    pub(crate) fn unpack(encoding: &str, stored: Vec<u8>) -> Result<Vec<u8>, crate::StoreError> {
        match encoding {
            Self::IDENTITY => Ok(stored),
            Self::DEFLATE => {
                let mut received = Vec::with_capacity(stored.len() * 6);
                flate2::read::ZlibDecoder::new(stored.as_slice())
                    .read_to_end(&mut received)
                    .map_err(|e| {
                        crate::StoreError::Corrupt(format!(
                            "a stored submission does not inflate: {e}"
                        ))
                    })?;
                Ok(received)
            }
            other => Err(crate::StoreError::Corrupt(format!(
                "a stored submission has an unknown encoding {other:?}"
            ))),
        }
    }
}

/// A file about to be recorded, as received.
#[derive(Debug, Clone)]
pub struct NewSubmission<'a> {
    /// What the file holds: `values`, `metrics`, `targets`, `areas`.
    pub kind: &'a str,
    /// The file's name as given.
    pub file_name: &'a str,
    /// The bytes as received, packed.
    pub content: &'a PackedContent,
    /// SHA-256 of the content, hex: a file already received is recognised by it.
    pub content_sha256: &'a str,
    /// Who sent it.
    pub submitted_by: &'a str,
    /// When (RFC 3339, UTC).
    pub submitted_at: &'a str,
    /// The publisher or publication named by the sender.
    pub source: Option<&'a str>,
    /// Whether the file holds published (official) statistics rather than management
    /// information.
    pub published: bool,
}

/// A submission's file as it was received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubmittedFile {
    /// The file's name as given.
    pub file_name: String,
    /// Its bytes, exactly as received.
    pub content: Vec<u8>,
}

/// A recorded submission, without its content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Submission {
    /// Its number.
    pub id: i64,
    /// What the file held.
    pub kind: String,
    /// The file's name as given.
    pub file_name: String,
    /// SHA-256 of the content.
    pub content_sha256: String,
    /// Who sent it.
    pub submitted_by: String,
    /// When (RFC 3339, UTC).
    pub submitted_at: String,
    /// The publisher or publication named by the sender.
    pub source: Option<String>,
    /// Whether it holds published statistics.
    pub published: bool,
    /// Rows stored as new values or revisions.
    pub accepted: u64,
    /// Rows refused.
    pub rejected: u64,
    /// Rows identical to the current value.
    pub unchanged: u64,
}

/// A row refused on import, kept with its reason and its cells as received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RejectedRowRecord {
    /// The line (or spreadsheet row) it was on.
    pub line: u64,
    /// The column at fault.
    pub column: String,
    /// The value found there.
    pub value: String,
    /// Why it was refused, in plain words.
    pub reason: String,
    /// The row as received: (column, text) pairs.
    pub raw: Vec<(String, String)>,
}

/// A stored revision of a value.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredObservation {
    /// The row's id.
    pub id: i64,
    /// 1 for the first figure of a key, then 2, 3...
    pub revision: i64,
    /// Whether this is the key's latest revision.
    pub is_current: bool,
    /// The submission it came in, if any.
    pub submission_id: Option<i64>,
    /// Whether it has been published (else it is management information).
    pub published: bool,
    /// The figures.
    pub observation: Observation,
}

/// A new revision to write: the figures, their revision number, and the row it replaces.
/// A revision without a source of its own is stored with its submission's.
#[derive(Debug, Clone, Copy)]
pub struct NewRevision<'a> {
    /// The figures.
    pub observation: &'a Observation,
    /// Its revision number.
    pub revision: i64,
    /// The id of the revision it supersedes, if the key had one.
    pub replaces: Option<i64>,
}

/// What a recorded return changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecordedReturn {
    /// The submission's number.
    pub submission_id: i64,
}

pub(crate) fn key_breakdown(key: &ValueKey) -> String {
    key.breakdown
        .as_ref()
        .map(ToString::to_string)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packed_content_unpacks_to_the_bytes_received() {
        let received = "metric_id,area_code,period,numerator\n".repeat(1000);
        let packed = PackedContent::pack(received.as_bytes());
        assert_eq!(packed.encoding(), "deflate");
        assert!(
            packed.bytes().len() * 6 < received.len(),
            "{}",
            packed.bytes().len()
        );
        let unpacked = PackedContent::unpack(packed.encoding(), packed.bytes().to_vec()).unwrap();
        assert_eq!(unpacked, received.as_bytes());
        assert_eq!(
            PackedContent::unpack("identity", b"as is".to_vec()).unwrap(),
            b"as is"
        );
        assert!(PackedContent::unpack("deflate", b"not deflated".to_vec()).is_err());
        assert!(PackedContent::unpack("lzma", Vec::new()).is_err());
    }
}
