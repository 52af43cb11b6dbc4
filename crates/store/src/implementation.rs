//! The one implementation of [`Store`](crate::Store), written once and compiled for each
//! backend's pool type by [`implement_store!`]. The SQL is portable: `$n` placeholders,
//! `ON CONFLICT`, and integer, text and nullable columns only.

use std::borrow::Cow;

use sqlx::migrate::{Migration, MigrationType, Migrator};

/// Builds the migrator for one backend from its embedded DDL, one migration per file, each
/// with the version its file is numbered with.
pub(crate) fn migrator(migrations: &[(i64, &'static str, &'static str)]) -> Migrator {
    let migrations = migrations
        .iter()
        .map(|(version, description, sql)| {
            Migration::new(
                *version,
                Cow::Borrowed(*description),
                MigrationType::Simple,
                Cow::Borrowed(*sql),
                false,
            )
        })
        .collect::<Vec<_>>();
    Migrator {
        migrations: Cow::Owned(migrations),
        ..Migrator::DEFAULT
    }
}

/// Rows per multi-row `INSERT`: well under SQLite's 32,766 bound parameters.
pub(crate) const BATCH_ROWS: usize = 1000;

/// The year whose all-ages estimate is shown as an area's population.
pub(crate) const POPULATION_YEAR: i64 = h2h_domain::geography::POPULATION_YEAR as i64;

pub(crate) const AREA_COLUMNS: &str = "SELECT a.code, a.name, a.kind, p.population FROM areas a \
     LEFT JOIN area_populations p ON p.area_code = a.code AND p.year = $1 AND p.age_band = 'all'";

/// Implements [`Store`](crate::Store) for a struct with a `pool` field of a sqlx pool type.
macro_rules! implement_store {
    ($store:ty, $backend:expr) => {
        #[async_trait::async_trait]
        impl crate::Store for $store {
            fn backend(&self) -> crate::Backend {
                $backend
            }

            async fn advance_versions(&self, at_least: crate::Versions) -> Result<crate::Versions, crate::StoreError> {
                let current = self.versions().await?;
                let mut tx = self.pool.begin().await?;
                for (key, now, wanted) in [
                    ("data_version", current.data, at_least.data),
                    ("access_version", current.access, at_least.access),
                ] {
                    if now < wanted {
                        sqlx::query(
                            "INSERT INTO metadata (key, value) VALUES ($1, $2) ON CONFLICT (key) \
                             DO UPDATE SET value = excluded.value",
                        )
                        .bind(key)
                        .bind(wanted.to_string())
                        .execute(&mut *tx)
                        .await?;
                    }
                }
                tx.commit().await?;
                self.versions().await
            }

            async fn data_version(&self) -> Result<i64, crate::StoreError> {
                Ok(self.versions().await?.data)
            }

            async fn versions(&self) -> Result<crate::Versions, crate::StoreError> {
                let rows: Vec<(String, String)> = sqlx::query_as(
                    "SELECT key, value FROM metadata WHERE key IN ('data_version', 'access_version')",
                )
                .fetch_all(&self.pool)
                .await?;
                let mut versions = crate::Versions::default();
                for (key, value) in rows {
                    let value = value.parse().unwrap_or(0);
                    match key.as_str() {
                        "data_version" => versions.data = value,
                        _ => versions.access = value,
                    }
                }
                Ok(versions)
            }

            async fn ping(&self) -> Result<(), crate::StoreError> {
                sqlx::query("SELECT 1").execute(&self.pool).await?;
                Ok(())
            }

            async fn reference_state(&self) -> Result<crate::ReferenceState, crate::StoreError> {
                let rows: Vec<(String, String)> = sqlx::query_as("SELECT key, value FROM metadata")
                    .fetch_all(&self.pool)
                    .await?;
                let value = |key: &str| rows.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone());
                Ok(crate::ReferenceState {
                    catalogue_version: value("catalogue_version"),
                    geography_version: value("geography_version"),
                })
            }

            async fn install_catalogue(&self, catalogue: &h2h_domain::Catalogue) -> Result<(), crate::StoreError> {
                let mut tx = self.pool.begin().await?;
                for (position, outcome) in (0_i64..).zip(&catalogue.outcomes) {
                    sqlx::query(
                        "INSERT INTO outcomes (id, position, name, kind, description) VALUES ($1, $2, $3, $4, $5) \
                         ON CONFLICT (id) DO UPDATE SET position = excluded.position, name = excluded.name, \
                         kind = excluded.kind, description = excluded.description",
                    )
                    .bind(outcome.id.as_str())
                    .bind(position)
                    .bind(&outcome.name)
                    .bind(outcome.kind.code())
                    .bind(&outcome.description)
                    .execute(&mut *tx)
                    .await?;
                }
                sqlx::query("DELETE FROM targets WHERE origin = 'catalogue'").execute(&mut *tx).await?;
                sqlx::query("UPDATE metrics SET origin = 'retired' WHERE origin = 'catalogue'")
                    .execute(&mut *tx)
                    .await?;
                for (position, metric) in (0_i64..).zip(&catalogue.metrics) {
                    sqlx::query(
                        "INSERT INTO metrics (id, position, tier, outcome_id, origin, definition) \
                         VALUES ($1, $2, $3, $4, 'catalogue', $5) \
                         ON CONFLICT (id) DO UPDATE SET position = excluded.position, tier = excluded.tier, \
                         outcome_id = excluded.outcome_id, origin = 'catalogue', definition = excluded.definition",
                    )
                    .bind(metric.id.as_str())
                    .bind(position)
                    .bind(metric.tier.code())
                    .bind(metric.outcome.as_ref().map(|o| o.as_str()))
                    .bind(crate::rows::to_json(metric)?)
                    .execute(&mut *tx)
                    .await?;
                }
                // A metric dropped from the catalogue goes unless something still refers to it.
                sqlx::query(
                    "DELETE FROM metrics WHERE origin = 'retired' \
                     AND NOT EXISTS (SELECT 1 FROM targets t WHERE t.metric_id = metrics.id)",
                )
                .execute(&mut *tx)
                .await?;
                for target in &catalogue.targets {
                    sqlx::query(
                        "INSERT INTO targets (metric_id, area_code, period, kind, origin, definition) \
                         VALUES ($1, $2, $3, $4, 'catalogue', $5) \
                         ON CONFLICT (metric_id, area_code, period, kind) DO UPDATE SET \
                         origin = 'catalogue', definition = excluded.definition",
                    )
                    .bind(target.metric_id.as_str())
                    .bind(target.area_code.as_str())
                    .bind(target.period.code())
                    .bind(target.kind.code())
                    .bind(crate::rows::to_json(target)?)
                    .execute(&mut *tx)
                    .await?;
                }
                sqlx::query("DELETE FROM catalogue_references").execute(&mut *tx).await?;
                for (position, reference) in (0_i64..).zip(&catalogue.references) {
                    sqlx::query(
                        "INSERT INTO catalogue_references (id, position, title, publisher, url) \
                         VALUES ($1, $2, $3, $4, $5)",
                    )
                    .bind(&reference.id)
                    .bind(position)
                    .bind(&reference.title)
                    .bind(reference.publisher.as_deref())
                    .bind(reference.url.as_deref())
                    .execute(&mut *tx)
                    .await?;
                }
                set_metadata(&mut tx, "catalogue_version", &catalogue.version).await?;
                bump_data_version(&mut tx).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn install_geography(
                &self,
                geography: &h2h_domain::Geography,
                version: &str,
            ) -> Result<(), crate::StoreError> {
                use crate::implementation::BATCH_ROWS;
                let mut tx = self.pool.begin().await?;
                for (offset, chunk) in (0_i64..).step_by(BATCH_ROWS).zip(geography.areas.chunks(BATCH_ROWS)) {
                    let mut insert = sqlx::QueryBuilder::new("INSERT INTO areas (code, name, kind, origin, position) ");
                    insert.push_values((offset..).zip(chunk), |mut row, (position, area)| {
                        row.push_bind(area.code.as_str())
                            .push_bind(area.name.as_str())
                            .push_bind(area.kind.code())
                            .push_bind("shipped")
                            .push_bind(position);
                    });
                    insert.push(
                        " ON CONFLICT (code) DO UPDATE SET name = excluded.name, kind = excluded.kind, \
                         origin = 'shipped', position = excluded.position",
                    );
                    insert.build().execute(&mut *tx).await?;
                }
                sqlx::query(
                    "DELETE FROM area_parents WHERE area_code IN (SELECT code FROM areas WHERE origin = 'shipped') \
                     AND parent_code IN (SELECT code FROM areas WHERE origin = 'shipped')",
                )
                .execute(&mut *tx)
                .await?;
                let links: Vec<(&str, &str, i64)> = geography
                    .areas
                    .iter()
                    .flat_map(|a| (0_i64..).zip(&a.parents).map(move |(i, p)| (a.code.as_str(), p.as_str(), i)))
                    .collect();
                for chunk in links.chunks(BATCH_ROWS) {
                    let mut insert =
                        sqlx::QueryBuilder::new("INSERT INTO area_parents (area_code, parent_code, position) ");
                    insert.push_values(chunk, |mut row, (area, parent, position)| {
                        row.push_bind(*area).push_bind(*parent).push_bind(*position);
                    });
                    insert.build().execute(&mut *tx).await?;
                }
                sqlx::query("DELETE FROM area_code_changes").execute(&mut *tx).await?;
                for change in &geography.code_changes {
                    sqlx::query(
                        "INSERT INTO area_code_changes (old_code, new_code, effective, reason) VALUES ($1, $2, $3, $4) \
                         ON CONFLICT (old_code) DO NOTHING",
                    )
                    .bind(change.old_code.as_str())
                    .bind(change.new_code.as_str())
                    .bind(change.effective.as_deref())
                    .bind(&change.reason)
                    .execute(&mut *tx)
                    .await?;
                }
                sqlx::query(
                    "DELETE FROM area_populations WHERE area_code IN (SELECT code FROM areas WHERE origin = 'shipped')",
                )
                .execute(&mut *tx)
                .await?;
                let estimates: Vec<(&str, i64, String, i64)> = geography
                    .populations
                    .iter()
                    .flat_map(|(code, estimates)| {
                        estimates.iter().map(move |e| {
                            (code.as_str(), i64::from(e.year), e.age_band.code(), i64::try_from(e.population).unwrap_or(i64::MAX))
                        })
                    })
                    .collect();
                for chunk in estimates.chunks(BATCH_ROWS) {
                    let mut insert =
                        sqlx::QueryBuilder::new("INSERT INTO area_populations (area_code, year, age_band, population) ");
                    insert.push_values(chunk, |mut row, (code, year, band, population)| {
                        row.push_bind(*code).push_bind(*year).push_bind(band.as_str()).push_bind(*population);
                    });
                    insert.build().execute(&mut *tx).await?;
                }
                set_metadata(&mut tx, "geography_version", version).await?;
                bump_data_version(&mut tx).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn outcomes(&self) -> Result<Vec<h2h_domain::Outcome>, crate::StoreError> {
                let rows: Vec<crate::rows::OutcomeRow> =
                    sqlx::query_as("SELECT id, name, kind, description FROM outcomes ORDER BY position")
                        .fetch_all(&self.pool)
                        .await?;
                rows.into_iter().map(crate::rows::outcome).collect()
            }

            async fn metrics(&self) -> Result<Vec<h2h_domain::Metric>, crate::StoreError> {
                let rows: Vec<(String,)> =
                    sqlx::query_as("SELECT definition FROM metrics WHERE origin <> 'retired' ORDER BY position, id")
                        .fetch_all(&self.pool)
                        .await?;
                rows.iter().map(|(d,)| crate::rows::metric(d)).collect()
            }

            async fn references(&self) -> Result<Vec<h2h_domain::Reference>, crate::StoreError> {
                let rows: Vec<(String, String, Option<String>, Option<String>)> = sqlx::query_as(
                    "SELECT id, title, publisher, url FROM catalogue_references ORDER BY position",
                )
                .fetch_all(&self.pool)
                .await?;
                Ok(rows
                    .into_iter()
                    .map(|(id, title, publisher, url)| h2h_domain::Reference { id, title, publisher, url })
                    .collect())
            }

            async fn targets(&self) -> Result<Vec<h2h_domain::Target>, crate::StoreError> {
                let rows: Vec<(String,)> = sqlx::query_as(
                    "SELECT definition FROM targets ORDER BY metric_id, area_code, period, kind",
                )
                .fetch_all(&self.pool)
                .await?;
                rows.iter().map(|(d,)| crate::rows::target(d)).collect()
            }

            async fn areas(
                &self,
                filter: Option<h2h_domain::AreaKindFilter>,
            ) -> Result<Vec<h2h_domain::Area>, crate::StoreError> {
                use crate::implementation::{AREA_COLUMNS, POPULATION_YEAR};
                let rows: Vec<crate::rows::AreaRow> =
                    sqlx::query_as(&format!("{AREA_COLUMNS} ORDER BY a.position, a.code"))
                        .bind(POPULATION_YEAR)
                        .fetch_all(&self.pool)
                        .await?;
                let links: Vec<crate::rows::LinkRow> =
                    sqlx::query_as("SELECT area_code, parent_code FROM area_parents ORDER BY area_code, position")
                        .fetch_all(&self.pool)
                        .await?;
                let areas = crate::rows::areas(rows, links)?;
                Ok(match filter {
                    Some(filter) => areas.into_iter().filter(|a| filter.matches(a.kind)).collect(),
                    None => areas,
                })
            }

            async fn area(
                &self,
                code: &h2h_domain::AreaCode,
            ) -> Result<Option<h2h_domain::Area>, crate::StoreError> {
                use crate::implementation::{AREA_COLUMNS, POPULATION_YEAR};
                let current: Option<(String,)> =
                    sqlx::query_as("SELECT new_code FROM area_code_changes WHERE old_code = $1")
                        .bind(code.as_str())
                        .fetch_optional(&self.pool)
                        .await?;
                let current = current.map_or_else(|| code.as_str().to_owned(), |(c,)| c);
                let rows: Vec<crate::rows::AreaRow> = sqlx::query_as(&format!("{AREA_COLUMNS} WHERE a.code = $2"))
                    .bind(POPULATION_YEAR)
                    .bind(&current)
                    .fetch_all(&self.pool)
                    .await?;
                let links: Vec<crate::rows::LinkRow> = sqlx::query_as(
                    "SELECT area_code, parent_code FROM area_parents WHERE area_code = $1 ORDER BY position",
                )
                .bind(&current)
                .fetch_all(&self.pool)
                .await?;
                Ok(crate::rows::areas(rows, links)?.into_iter().next())
            }

            async fn area_children(
                &self,
                code: &h2h_domain::AreaCode,
            ) -> Result<Vec<h2h_domain::Area>, crate::StoreError> {
                use crate::implementation::{AREA_COLUMNS, POPULATION_YEAR};
                let rows: Vec<crate::rows::AreaRow> = sqlx::query_as(&format!(
                    "{AREA_COLUMNS} JOIN area_parents l ON l.area_code = a.code WHERE l.parent_code = $2 \
                     ORDER BY a.position, a.code"
                ))
                .bind(POPULATION_YEAR)
                .bind(code.as_str())
                .fetch_all(&self.pool)
                .await?;
                let links: Vec<crate::rows::LinkRow> = sqlx::query_as(
                    "SELECT l2.area_code, l2.parent_code FROM area_parents l \
                     JOIN area_parents l2 ON l2.area_code = l.area_code WHERE l.parent_code = $1 \
                     ORDER BY l2.area_code, l2.position",
                )
                .bind(code.as_str())
                .fetch_all(&self.pool)
                .await?;
                crate::rows::areas(rows, links)
            }

            async fn code_changes(&self) -> Result<Vec<h2h_domain::CodeChange>, crate::StoreError> {
                let rows: Vec<crate::rows::CodeChangeRow> = sqlx::query_as(
                    "SELECT old_code, new_code, effective, reason FROM area_code_changes ORDER BY old_code",
                )
                .fetch_all(&self.pool)
                .await?;
                rows.into_iter().map(crate::rows::code_change).collect()
            }

            async fn populations(
                &self,
                code: &h2h_domain::AreaCode,
            ) -> Result<Vec<h2h_domain::PopulationEstimate>, crate::StoreError> {
                let rows: Vec<crate::rows::PopulationRow> = sqlx::query_as(
                    "SELECT year, age_band, population FROM area_populations WHERE area_code = $1 \
                     ORDER BY year, age_band",
                )
                .bind(code.as_str())
                .fetch_all(&self.pool)
                .await?;
                rows.into_iter().map(crate::rows::population).collect()
            }

            async fn save_local_metrics(&self, metrics: &[h2h_domain::Metric]) -> Result<(), crate::StoreError> {
                let mut tx = self.pool.begin().await?;
                for metric in metrics {
                    let origin: Option<(String,)> = sqlx::query_as("SELECT origin FROM metrics WHERE id = $1")
                        .bind(metric.id.as_str())
                        .fetch_optional(&mut *tx)
                        .await?;
                    if origin.is_some_and(|(o,)| o == "catalogue") {
                        return Err(crate::StoreError::Refused(format!(
                            "{} is a metric of the shipped catalogue and cannot be redefined",
                            metric.id
                        )));
                    }
                    sqlx::query(
                        "INSERT INTO metrics (id, position, tier, outcome_id, origin, definition) \
                         VALUES ($1, (SELECT COALESCE(MAX(position), 0) + 1 FROM metrics), $2, $3, 'import', $4) \
                         ON CONFLICT (id) DO UPDATE SET tier = excluded.tier, outcome_id = excluded.outcome_id, \
                         definition = excluded.definition",
                    )
                    .bind(metric.id.as_str())
                    .bind(metric.tier.code())
                    .bind(metric.outcome.as_ref().map(|o| o.as_str()))
                    .bind(crate::rows::to_json(metric)?)
                    .execute(&mut *tx)
                    .await?;
                }
                bump_data_version(&mut tx).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn save_targets(&self, targets: &[h2h_domain::Target]) -> Result<(), crate::StoreError> {
                let mut tx = self.pool.begin().await?;
                for target in targets {
                    sqlx::query(
                        "INSERT INTO targets (metric_id, area_code, period, kind, origin, definition) \
                         VALUES ($1, $2, $3, $4, 'import', $5) \
                         ON CONFLICT (metric_id, area_code, period, kind) DO UPDATE SET \
                         origin = 'import', definition = excluded.definition",
                    )
                    .bind(target.metric_id.as_str())
                    .bind(target.area_code.as_str())
                    .bind(target.period.code())
                    .bind(target.kind.code())
                    .bind(crate::rows::to_json(target)?)
                    .execute(&mut *tx)
                    .await?;
                }
                bump_data_version(&mut tx).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn find_submission(
                &self,
                kind: &str,
                content_sha256: &str,
            ) -> Result<Option<crate::Submission>, crate::StoreError> {
                let row: Option<crate::rows::SubmissionRow> = sqlx::query_as(&format!(
                    "SELECT {} FROM submissions WHERE kind = $1 AND content_sha256 = $2 ORDER BY id LIMIT 1",
                    crate::rows::SUBMISSION_COLUMNS
                ))
                .bind(kind)
                .bind(content_sha256)
                .fetch_optional(&self.pool)
                .await?;
                Ok(row.map(crate::rows::submission))
            }

            async fn submissions(&self) -> Result<Vec<crate::Submission>, crate::StoreError> {
                let rows: Vec<crate::rows::SubmissionRow> = sqlx::query_as(&format!(
                    "SELECT {} FROM submissions ORDER BY id DESC",
                    crate::rows::SUBMISSION_COLUMNS
                ))
                .fetch_all(&self.pool)
                .await?;
                Ok(rows.into_iter().map(crate::rows::submission).collect())
            }

            async fn submitted_file(&self, submission_id: i64) -> Result<Option<crate::SubmittedFile>, crate::StoreError> {
                let row: Option<(String, String, Vec<u8>)> = sqlx::query_as(
                    "SELECT file_name, content_encoding, content FROM submissions WHERE id = $1",
                )
                .bind(submission_id)
                .fetch_optional(&self.pool)
                .await?;
                row.map(|(file_name, encoding, stored)| {
                    Ok(crate::SubmittedFile {
                        file_name,
                        content: crate::PackedContent::unpack(&encoding, stored)?,
                    })
                })
                .transpose()
            }

            async fn rejected_rows(&self, submission_id: i64) -> Result<Vec<crate::RejectedRowRecord>, crate::StoreError> {
                let rows: Vec<(i64, String, String, String, String)> = sqlx::query_as(
                    "SELECT line, column_name, value, reason, raw FROM rejected_rows WHERE submission_id = $1 ORDER BY line",
                )
                .bind(submission_id)
                .fetch_all(&self.pool)
                .await?;
                rows.into_iter().map(crate::rows::rejected_row).collect()
            }

            async fn record_return(
                &self,
                submission: &crate::NewSubmission<'_>,
                revisions: &[crate::NewRevision<'_>],
                rejected: &[crate::RejectedRowRecord],
                unchanged: u64,
            ) -> Result<crate::RecordedReturn, crate::StoreError> {
                let count = |n: usize| i64::try_from(n).unwrap_or(i64::MAX);
                let started = std::time::Instant::now();
                let mut tx = self.pool.begin().await?;
                let (submission_id,): (i64,) = sqlx::query_as(
                    "INSERT INTO submissions (kind, file_name, content_sha256, content, submitted_by, submitted_at, \
                     source, published, accepted, rejected, unchanged, content_encoding) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
                )
                .bind(submission.kind)
                .bind(submission.file_name)
                .bind(submission.content_sha256)
                .bind(submission.content.bytes())
                .bind(submission.submitted_by)
                .bind(submission.submitted_at)
                .bind(submission.source)
                .bind(i64::from(submission.published))
                .bind(count(revisions.len()))
                .bind(count(rejected.len()))
                .bind(i64::try_from(unchanged).unwrap_or(i64::MAX))
                .bind(submission.content.encoding())
                .fetch_one(&mut *tx)
                .await?;
                let replaced: Vec<i64> = revisions.iter().filter_map(|r| r.replaces).collect();
                for chunk in replaced.chunks(crate::implementation::BATCH_ROWS) {
                    let mut update = sqlx::QueryBuilder::new("UPDATE observations SET is_current = 0 WHERE id IN (");
                    let mut ids = update.separated(", ");
                    for id in chunk {
                        ids.push_bind(*id);
                    }
                    update.push(")");
                    update.build().execute(&mut *tx).await?;
                }
                tracing::debug!(elapsed = ?started.elapsed(), "submission stored");
                let series = crate::implementation::series_of(revisions);
                for chunk in series.chunks(crate::implementation::BATCH_ROWS) {
                    let mut insert = sqlx::QueryBuilder::new("INSERT INTO series (metric_id, area_code, breakdown) ");
                    insert.push_values(chunk, |mut row, (metric, area, breakdown)| {
                        row.push_bind(*metric).push_bind(*area).push_bind(breakdown.as_str());
                    });
                    insert.push(" ON CONFLICT (metric_id, area_code, breakdown) DO NOTHING");
                    insert.build().execute(&mut *tx).await?;
                }
                let mut series_ids = std::collections::HashMap::with_capacity(series.len());
                let metrics: std::collections::BTreeSet<&str> = series.iter().map(|(metric, _, _)| *metric).collect();
                for chunk in metrics.into_iter().collect::<Vec<_>>().chunks(crate::implementation::BATCH_ROWS) {
                    let mut select = sqlx::QueryBuilder::new(
                        "SELECT id, metric_id, area_code, breakdown FROM series WHERE metric_id IN (",
                    );
                    let mut ids = select.separated(", ");
                    for metric in chunk {
                        ids.push_bind(*metric);
                    }
                    select.push(")");
                    let rows: Vec<(i64, String, String, String)> =
                        select.build_query_as().fetch_all(&mut *tx).await?;
                    series_ids.extend(rows.into_iter().map(|(id, metric, area, breakdown)| ((metric, area, breakdown), id)));
                }
                let keyed = crate::implementation::with_series_ids(revisions, &series_ids)?;
                tracing::debug!(elapsed = ?started.elapsed(), series = series.len(), "series stored");
                <$store as crate::implementation::HasDatabase>::insert_observations(
                    &mut tx,
                    &keyed,
                    submission_id,
                    submission,
                )
                .await?;
                for chunk in rejected.chunks(crate::implementation::BATCH_ROWS) {
                    let mut insert = sqlx::QueryBuilder::new(
                        "INSERT INTO rejected_rows (submission_id, line, column_name, value, reason, raw) ",
                    );
                    let mut rows = Vec::with_capacity(chunk.len());
                    for r in chunk {
                        rows.push((r, crate::rows::to_json(&r.raw)?));
                    }
                    insert.push_values(rows, |mut row, (r, raw)| {
                        row.push_bind(submission_id)
                            .push_bind(i64::try_from(r.line).unwrap_or(i64::MAX))
                            .push_bind(r.column.clone())
                            .push_bind(r.value.clone())
                            .push_bind(r.reason.clone())
                            .push_bind(raw);
                    });
                    insert.push(" ON CONFLICT (submission_id, line) DO NOTHING");
                    insert.build().execute(&mut *tx).await?;
                }
                bump_data_version(&mut tx).await?;
                tracing::debug!(elapsed = ?started.elapsed(), "observations and rejected rows stored");
                tx.commit().await?;
                tracing::debug!(elapsed = ?started.elapsed(), "return committed");
                Ok(crate::RecordedReturn { submission_id })
            }

            async fn save_plan(
                &self,
                plan: &h2h_domain::Plan,
                recorded_at: &str,
            ) -> Result<crate::SavedPlan, crate::StoreError> {
                let mut tx = self.pool.begin().await?;
                sqlx::query("INSERT INTO plans (area_code, title) VALUES ($1, $2) ON CONFLICT (area_code, title) DO NOTHING")
                    .bind(plan.area_code.as_str())
                    .bind(plan.title.as_str())
                    .execute(&mut *tx)
                    .await?;
                let (plan_id,): (i64,) = sqlx::query_as("SELECT id FROM plans WHERE area_code = $1 AND title = $2")
                    .bind(plan.area_code.as_str())
                    .bind(plan.title.as_str())
                    .fetch_one(&mut *tx)
                    .await?;
                let mut saved = crate::SavedPlan { plan_id, ..crate::SavedPlan::default() };
                for (position, action) in (0_i64..).zip(&plan.actions) {
                    let metric_ids: Vec<&str> = action.metric_ids.iter().map(|m| m.as_str()).collect();
                    let (action_id,): (i64,) = sqlx::query_as(
                        "INSERT INTO plan_actions (plan_id, position, action_no, theme, objective, objective_lead, \
                         outcome, action, leads, resources, deadline_text, deadline_date, status, measures, \
                         metric_ids, coverage, version) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, 1) \
                         ON CONFLICT (plan_id, action_no) DO UPDATE SET position = excluded.position, \
                         theme = excluded.theme, objective = excluded.objective, \
                         objective_lead = excluded.objective_lead, outcome = excluded.outcome, \
                         action = excluded.action, leads = excluded.leads, resources = excluded.resources, \
                         deadline_text = excluded.deadline_text, deadline_date = excluded.deadline_date, \
                         status = excluded.status, measures = excluded.measures, \
                         metric_ids = excluded.metric_ids, coverage = excluded.coverage, \
                         version = plan_actions.version + 1 \
                         RETURNING id",
                    )
                    .bind(plan_id)
                    .bind(position)
                    .bind(action.action_no.as_str())
                    .bind(action.theme.as_deref())
                    .bind(action.objective.as_str())
                    .bind(action.objective_lead.as_deref())
                    .bind(action.outcome.as_deref())
                    .bind(action.action.as_str())
                    .bind(crate::rows::to_json(&action.leads)?)
                    .bind(action.resources.as_deref())
                    .bind(action.deadline.text.as_str())
                    .bind(action.deadline.date.map(crate::plans::date_text))
                    .bind(action.status.code())
                    .bind(action.measures.as_deref())
                    .bind(crate::rows::to_json(&metric_ids)?)
                    .bind(action.coverage.as_deref())
                    .fetch_one(&mut *tx)
                    .await?;
                    saved.actions += 1;
                    for update in &action.updates {
                        // An update already in the history (same date, text and area) is not
                        // added again, so importing a plan twice changes nothing.
                        let added = insert_action_update(&mut tx, action_id, update, recorded_at, true).await?;
                        saved.updates_added += added;
                    }
                }
                bump_data_version(&mut tx).await?;
                tx.commit().await?;
                Ok(saved)
            }

            async fn save_signed_report(
                &self,
                report: &crate::NewSignedReport<'_>,
            ) -> Result<crate::SignedReport, crate::StoreError> {
                let mut tx = self.pool.begin().await?;
                let version = report.version;
                let (id,): (i64,) = sqlx::query_as(
                    "INSERT INTO signed_reports (area_code, period, version, title, decision, signed_by, signed_role, \
                     signed_on, recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
                )
                .bind(report.area_code.as_str())
                .bind(report.period)
                .bind(version)
                .bind(report.title)
                .bind(crate::rows::to_json(report.decision)?)
                .bind(report.decision.decision_maker.as_str())
                .bind(report.decision.role.as_str())
                .bind(crate::plans::date_text(report.decision.signed_on))
                .bind(report.recorded_at)
                .fetch_one(&mut *tx)
                .await?;
                for (format, content, sha256) in report.files {
                    sqlx::query(
                        "INSERT INTO signed_report_files (report_id, format, content, sha256) VALUES ($1, $2, $3, $4)",
                    )
                    .bind(id)
                    .bind(*format)
                    .bind(content.as_slice())
                    .bind(sha256.as_str())
                    .execute(&mut *tx)
                    .await?;
                }
                tx.commit().await?;
                let mut files: Vec<(String, String)> = report
                    .files
                    .iter()
                    .map(|(format, _, sha256)| ((*format).to_owned(), sha256.clone()))
                    .collect();
                files.sort();
                Ok(crate::SignedReport {
                    id,
                    area_code: report.area_code.clone(),
                    period: report.period.to_owned(),
                    version,
                    title: report.title.to_owned(),
                    decision: report.decision.clone(),
                    recorded_at: report.recorded_at.to_owned(),
                    files,
                })
            }

            async fn signed_reports(
                &self,
                area: Option<&h2h_domain::AreaCode>,
            ) -> Result<Vec<crate::SignedReport>, crate::StoreError> {
                let rows: Vec<crate::signed_reports::SignedReportRow> = sqlx::query_as(&format!(
                    "SELECT {} FROM signed_reports WHERE $1 IS NULL OR area_code = $1 ORDER BY id DESC",
                    crate::signed_reports::SIGNED_REPORT_COLUMNS
                ))
                .bind(area.map(|a| a.as_str()))
                .fetch_all(&self.pool)
                .await?;
                let files: Vec<(i64, String, String)> = sqlx::query_as(
                    "SELECT f.report_id, f.format, f.sha256 FROM signed_report_files f \
                     JOIN signed_reports r ON r.id = f.report_id \
                     WHERE $1 IS NULL OR r.area_code = $1 ORDER BY f.report_id, f.format",
                )
                .bind(area.map(|a| a.as_str()))
                .fetch_all(&self.pool)
                .await?;
                let mut by_report: std::collections::HashMap<i64, Vec<(String, String)>> =
                    std::collections::HashMap::new();
                for (report_id, format, sha256) in files {
                    by_report.entry(report_id).or_default().push((format, sha256));
                }
                rows.into_iter()
                    .map(|row| {
                        let files = by_report.remove(&row.0).unwrap_or_default();
                        crate::signed_reports::signed_report(row, files)
                    })
                    .collect()
            }

            async fn signed_report(&self, id: i64) -> Result<Option<crate::SignedReport>, crate::StoreError> {
                let row: Option<crate::signed_reports::SignedReportRow> = sqlx::query_as(&format!(
                    "SELECT {} FROM signed_reports WHERE id = $1",
                    crate::signed_reports::SIGNED_REPORT_COLUMNS
                ))
                .bind(id)
                .fetch_optional(&self.pool)
                .await?;
                let Some(row) = row else {
                    return Ok(None);
                };
                let files: Vec<(String, String)> = sqlx::query_as(
                    "SELECT format, sha256 FROM signed_report_files WHERE report_id = $1 ORDER BY format",
                )
                .bind(id)
                .fetch_all(&self.pool)
                .await?;
                crate::signed_reports::signed_report(row, files).map(Some)
            }

            async fn signed_report_file(
                &self,
                id: i64,
                format: &str,
            ) -> Result<Option<Vec<u8>>, crate::StoreError> {
                let row: Option<(Vec<u8>,)> = sqlx::query_as(
                    "SELECT content FROM signed_report_files WHERE report_id = $1 AND format = $2",
                )
                .bind(id)
                .bind(format)
                .fetch_optional(&self.pool)
                .await?;
                Ok(row.map(|(content,)| content))
            }

            async fn plans(
                &self,
                area: Option<&h2h_domain::AreaCode>,
            ) -> Result<Vec<crate::PlanSummary>, crate::StoreError> {
                let rows: Vec<(i64, String, String, i64)> = sqlx::query_as(
                    "SELECT p.id, p.title, p.area_code, (SELECT COUNT(*) FROM plan_actions a WHERE a.plan_id = p.id) \
                     FROM plans p WHERE $1 IS NULL OR p.area_code = $1 ORDER BY p.area_code, p.title",
                )
                .bind(area.map(|a| a.as_str()))
                .fetch_all(&self.pool)
                .await?;
                rows.into_iter()
                    .map(|(id, title, area_code, actions)| {
                        Ok(crate::PlanSummary {
                            id,
                            title,
                            area_code: crate::rows::code(&area_code)?,
                            actions: u64::try_from(actions).unwrap_or(0),
                        })
                    })
                    .collect()
            }

            async fn plan(&self, id: i64) -> Result<Option<crate::StoredPlan>, crate::StoreError> {
                let plan: Option<(String, String)> = sqlx::query_as("SELECT title, area_code FROM plans WHERE id = $1")
                    .bind(id)
                    .fetch_optional(&self.pool)
                    .await?;
                let Some((title, area_code)) = plan else {
                    return Ok(None);
                };
                let rows: Vec<crate::plans::ActionRow> = sqlx::query_as(&format!(
                    "SELECT {} FROM plan_actions WHERE plan_id = $1 ORDER BY position",
                    crate::plans::ACTION_COLUMNS
                ))
                .bind(id)
                .fetch_all(&self.pool)
                .await?;
                let mut actions = rows
                    .into_iter()
                    .map(crate::plans::action)
                    .collect::<Result<Vec<_>, _>>()?;
                let updates: Vec<crate::plans::UpdateRow> = sqlx::query_as(
                    "SELECT u.action_id, u.update_date, u.author, u.text, u.area_code, u.status \
                     FROM action_updates u JOIN plan_actions a ON a.id = u.action_id \
                     WHERE a.plan_id = $1 ORDER BY u.id",
                )
                .bind(id)
                .fetch_all(&self.pool)
                .await?;
                let positions: std::collections::HashMap<i64, usize> =
                    actions.iter().enumerate().map(|(i, a)| (a.id, i)).collect();
                for row in updates {
                    let (action_id, update) = crate::plans::update(row)?;
                    if let Some(action) = positions.get(&action_id).and_then(|&i| actions.get_mut(i)) {
                        action.action.updates.push(update);
                    }
                }
                for action in &mut actions {
                    // Undated first, then by date; the order recorded among equals.
                    action.action.updates.sort_by_key(|u| u.date);
                }
                Ok(Some(crate::StoredPlan {
                    id,
                    title,
                    area_code: crate::rows::code(&area_code)?,
                    actions,
                }))
            }

            async fn add_action_update(
                &self,
                action_id: i64,
                version: i64,
                update: &h2h_domain::ActionUpdate,
                recorded_at: &str,
            ) -> Result<i64, crate::StoreError> {
                let mut tx = self.pool.begin().await?;
                let moved = sqlx::query(
                    "UPDATE plan_actions SET status = $1, version = version + 1 WHERE id = $2 AND version = $3",
                )
                .bind(update.status.code())
                .bind(action_id)
                .bind(version)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                if moved != 1 {
                    let exists: Option<(i64,)> = sqlx::query_as("SELECT version FROM plan_actions WHERE id = $1")
                        .bind(action_id)
                        .fetch_optional(&mut *tx)
                        .await?;
                    return Err(match exists {
                        None => crate::StoreError::Refused(format!("there is no action {action_id}")),
                        Some(_) => crate::StoreError::Conflict(
                            "someone else changed this action after you opened it; nothing was saved: \
                             reload it to see their change"
                                .to_owned(),
                        ),
                    });
                }
                insert_action_update(&mut tx, action_id, update, recorded_at, false).await?;
                bump_data_version(&mut tx).await?;
                tx.commit().await?;
                Ok(version + 1)
            }

            async fn current_observations(
                &self,
                metrics: Option<&[h2h_domain::MetricId]>,
            ) -> Result<Vec<crate::StoredObservation>, crate::StoreError> {
                let mut query = sqlx::QueryBuilder::new(format!(
                    "SELECT {} FROM observation_rows WHERE is_current = 1",
                    crate::rows::OBSERVATION_COLUMNS
                ));
                if let Some(metrics) = metrics {
                    if metrics.is_empty() {
                        return Ok(Vec::new());
                    }
                    query.push(" AND metric_id IN (");
                    let mut ids = query.separated(", ");
                    for metric in metrics {
                        ids.push_bind(metric.as_str());
                    }
                    query.push(")");
                }
                let rows = query.build().fetch_all(&self.pool).await?;
                let mut observations = rows
                    .iter()
                    .map(|row| crate::rows::observation(crate::rows::observation_row!(row)?))
                    .collect::<Result<Vec<_>, crate::StoreError>>()?;
                // In key order (metric, area, period by its dates, breakdown), which SQL on the
                // period's code cannot give.
                observations.sort_unstable_by(|a, b| a.observation.key.cmp(&b.observation.key));
                Ok(observations)
            }

            async fn observation_history(
                &self,
                key: &h2h_domain::ValueKey,
            ) -> Result<Vec<crate::StoredObservation>, crate::StoreError> {
                let rows = sqlx::query(&format!(
                    "SELECT {} FROM observation_rows WHERE metric_id = $1 AND area_code = $2 AND period = $3 \
                     AND breakdown = $4 ORDER BY revision",
                    crate::rows::OBSERVATION_COLUMNS
                ))
                .bind(key.metric_id.as_str())
                .bind(key.area_code.as_str())
                .bind(key.period.code())
                .bind(crate::returns::key_breakdown(key))
                .fetch_all(&self.pool)
                .await?;
                rows.iter()
                    .map(|row| crate::rows::observation(crate::rows::observation_row!(row)?))
                    .collect()
            }

            async fn all_populations(
                &self,
            ) -> Result<std::collections::HashMap<h2h_domain::AreaCode, Vec<h2h_domain::PopulationEstimate>>, crate::StoreError> {
                let rows: Vec<(String, i64, String, i64)> = sqlx::query_as(
                    "SELECT area_code, year, age_band, population FROM area_populations ORDER BY area_code, year, age_band",
                )
                .fetch_all(&self.pool)
                .await?;
                let mut by_area: std::collections::HashMap<h2h_domain::AreaCode, Vec<h2h_domain::PopulationEstimate>> =
                    std::collections::HashMap::new();
                for (area, year, band, population) in rows {
                    by_area
                        .entry(crate::rows::code(&area)?)
                        .or_default()
                        .push(crate::rows::population((year, band, population))?);
                }
                Ok(by_area)
            }

            async fn save_partnership(
                &self,
                partnership: &h2h_domain::Partnership,
            ) -> Result<crate::SavedPartnership, crate::StoreError> {
                let mut tx = self.pool.begin().await?;
                let code = partnership.code.as_str();
                let leadership = sqlx::query(
                    "INSERT INTO partnerships (area_code, sro, chair, generated) VALUES ($1, $2, $3, $4) \
                     ON CONFLICT (area_code) DO UPDATE SET sro = excluded.sro, chair = excluded.chair, \
                     generated = excluded.generated WHERE partnerships.sro <> excluded.sro \
                     OR partnerships.chair <> excluded.chair OR partnerships.generated <> excluded.generated",
                )
                .bind(code)
                .bind(partnership.sro.as_str())
                .bind(partnership.chair.as_str())
                .bind(i64::from(partnership.generated))
                .execute(&mut *tx)
                .await?
                .rows_affected();
                let held: Vec<(String, String, String, i64)> = sqlx::query_as(
                    "SELECT organisation_key, organisation, member_type, position FROM partnership_members \
                     WHERE area_code = $1",
                )
                .bind(code)
                .fetch_all(&mut *tx)
                .await?;
                let mut next_position = held.iter().map(|h| h.3 + 1).max().unwrap_or(0);
                let mut saved = crate::SavedPartnership {
                    leadership_changed: leadership > 0,
                    ..crate::SavedPartnership::default()
                };
                for member in &partnership.members {
                    let key = crate::organisation_key(&member.name);
                    match held.iter().find(|h| h.0 == key) {
                        Some((_, name, kind, _)) if name == &member.name && kind == member.member_type.code() => {}
                        Some(_) => {
                            sqlx::query(
                                "UPDATE partnership_members SET organisation = $1, member_type = $2 \
                                 WHERE area_code = $3 AND organisation_key = $4",
                            )
                            .bind(member.name.as_str())
                            .bind(member.member_type.code())
                            .bind(code)
                            .bind(key.as_str())
                            .execute(&mut *tx)
                            .await?;
                            saved.members_changed += 1;
                        }
                        None => {
                            // A name given twice in one list is added once.
                            let added = sqlx::query(
                                "INSERT INTO partnership_members (area_code, position, organisation, \
                                 organisation_key, member_type) VALUES ($1, $2, $3, $4, $5) \
                                 ON CONFLICT (area_code, organisation_key) DO NOTHING",
                            )
                            .bind(code)
                            .bind(next_position)
                            .bind(member.name.as_str())
                            .bind(key.as_str())
                            .bind(member.member_type.code())
                            .execute(&mut *tx)
                            .await?
                            .rows_affected();
                            next_position += 1;
                            saved.members_added += added;
                        }
                    }
                }
                if saved.changed() {
                    bump_data_version(&mut tx).await?;
                }
                tx.commit().await?;
                Ok(saved)
            }

            async fn partnerships(&self) -> Result<Vec<h2h_domain::Partnership>, crate::StoreError> {
                let rows: Vec<(String, String, String, String, i64)> = sqlx::query_as(
                    "SELECT p.area_code, COALESCE(a.name, p.area_code), p.sro, p.chair, p.generated FROM partnerships p \
                     LEFT JOIN areas a ON a.code = p.area_code ORDER BY p.area_code",
                )
                .fetch_all(&self.pool)
                .await?;
                let authorities: Vec<(String, String)> = sqlx::query_as(
                    "SELECT ap.parent_code, ap.area_code FROM area_parents ap \
                     JOIN partnerships p ON p.area_code = ap.parent_code ORDER BY ap.parent_code, ap.area_code",
                )
                .fetch_all(&self.pool)
                .await?;
                let members: Vec<(String, String, String)> = sqlx::query_as(
                    "SELECT area_code, organisation, member_type FROM partnership_members \
                     ORDER BY area_code, position, id",
                )
                .fetch_all(&self.pool)
                .await?;
                let mut partnerships = Vec::with_capacity(rows.len());
                let mut index = std::collections::HashMap::new();
                for (code, name, sro, chair, generated) in rows {
                    index.insert(code.clone(), partnerships.len());
                    partnerships.push(h2h_domain::Partnership {
                        code: crate::rows::code(&code)?,
                        name,
                        local_authorities: Vec::new(),
                        sro,
                        chair,
                        members: Vec::new(),
                        generated: generated != 0,
                    });
                }
                for (parent, authority) in authorities {
                    if let Some(p) = index.get(&parent).and_then(|&i| partnerships.get_mut(i)) {
                        p.local_authorities.push(crate::rows::code(&authority)?);
                    }
                }
                for (code, name, kind) in members {
                    if let Some(p) = index.get(&code).and_then(|&i| partnerships.get_mut(i)) {
                        p.members.push(h2h_domain::MemberOrganisation {
                            name,
                            member_type: crate::partnerships::member_type(&kind)?,
                        });
                    }
                }
                Ok(partnerships)
            }

            async fn save_meetings(
                &self,
                meetings: &[h2h_domain::Meeting],
            ) -> Result<crate::SavedMeetings, crate::StoreError> {
                use crate::implementation::BATCH_ROWS;
                let mut tx = self.pool.begin().await?;
                let members: Vec<(String, String)> =
                    sqlx::query_as("SELECT area_code, organisation_key FROM partnership_members")
                        .fetch_all(&mut *tx)
                        .await?;
                let members: std::collections::HashSet<(String, String)> = members.into_iter().collect();
                let partnerships: Vec<(String,)> = sqlx::query_as("SELECT area_code FROM partnerships")
                    .fetch_all(&mut *tx)
                    .await?;
                let partnerships: std::collections::HashSet<String> =
                    partnerships.into_iter().map(|(c,)| c).collect();
                for meeting in meetings {
                    let code = meeting.partnership.as_str();
                    if !partnerships.contains(code) {
                        return Err(crate::StoreError::Refused(format!("{code} is not a partnership")));
                    }
                    for record in &meeting.attendance {
                        let key = crate::organisation_key(&record.organisation);
                        if !members.contains(&(code.to_owned(), key)) {
                            return Err(crate::StoreError::Refused(format!(
                                "{:?} is not a member of {code}",
                                record.organisation
                            )));
                        }
                    }
                }
                let mut saved = crate::SavedMeetings::default();
                let dated: Vec<(&str, String, &str, &str)> = meetings
                    .iter()
                    .map(|m| (m.partnership.as_str(), crate::plans::date_text(m.date), m.kind.code(), m.title.as_str()))
                    .collect();
                for chunk in dated.chunks(BATCH_ROWS) {
                    let mut insert = sqlx::QueryBuilder::new(
                        "INSERT INTO partnership_meetings (area_code, meeting_date, kind, title) ",
                    );
                    insert.push_values(chunk, |mut row, (code, date, kind, title)| {
                        row.push_bind(*code).push_bind(date.as_str()).push_bind(*kind).push_bind(*title);
                    });
                    insert.push(" ON CONFLICT (area_code, meeting_date, kind, title) DO NOTHING");
                    saved.meetings_added += insert.build().execute(&mut *tx).await?.rows_affected();
                }
                let mut ids: std::collections::HashMap<(String, String, String, String), i64> =
                    std::collections::HashMap::new();
                let codes: std::collections::BTreeSet<&str> = dated.iter().map(|d| d.0).collect();
                for code in codes {
                    let rows: Vec<(i64, String, String, String)> = sqlx::query_as(
                        "SELECT id, meeting_date, kind, title FROM partnership_meetings WHERE area_code = $1",
                    )
                    .bind(code)
                    .fetch_all(&mut *tx)
                    .await?;
                    for (id, date, kind, title) in rows {
                        ids.insert((code.to_owned(), date, kind, title), id);
                    }
                }
                let mut records: Vec<(i64, String, &'static str)> = Vec::new();
                for (meeting, (code, date, kind, title)) in meetings.iter().zip(&dated) {
                    let id = *ids
                        .get(&((*code).to_owned(), date.clone(), (*kind).to_owned(), (*title).to_owned()))
                        .ok_or_else(|| crate::StoreError::Corrupt(format!("the meeting of {code} on {date} was not saved")))?;
                    for record in &meeting.attendance {
                        records.push((id, crate::organisation_key(&record.organisation), record.attendance.code()));
                    }
                }
                for chunk in records.chunks(BATCH_ROWS) {
                    let mut insert = sqlx::QueryBuilder::new(
                        "INSERT INTO meeting_attendance (meeting_id, organisation_key, attendance) ",
                    );
                    insert.push_values(chunk, |mut row, (id, key, attendance)| {
                        row.push_bind(*id).push_bind(key.as_str()).push_bind(*attendance);
                    });
                    insert.push(
                        " ON CONFLICT (meeting_id, organisation_key) DO UPDATE SET attendance = excluded.attendance \
                         WHERE meeting_attendance.attendance <> excluded.attendance",
                    );
                    saved.attendance_changed += insert.build().execute(&mut *tx).await?.rows_affected();
                }
                if saved.meetings_added > 0 || saved.attendance_changed > 0 {
                    bump_data_version(&mut tx).await?;
                }
                tx.commit().await?;
                Ok(saved)
            }

            async fn meetings(
                &self,
                partnership: Option<&h2h_domain::AreaCode>,
            ) -> Result<Vec<h2h_domain::Meeting>, crate::StoreError> {
                let code = partnership.map(|p| p.as_str());
                let rows: Vec<(i64, String, String, String, String)> = sqlx::query_as(
                    "SELECT id, area_code, meeting_date, kind, title FROM partnership_meetings \
                     WHERE $1 IS NULL OR area_code = $1 ORDER BY area_code, meeting_date, kind, title",
                )
                .bind(code)
                .fetch_all(&self.pool)
                .await?;
                let records: Vec<(i64, String, String)> = sqlx::query_as(
                    "SELECT a.meeting_id, m.organisation, a.attendance FROM meeting_attendance a \
                     JOIN partnership_meetings g ON g.id = a.meeting_id \
                     JOIN partnership_members m ON m.area_code = g.area_code AND m.organisation_key = a.organisation_key \
                     WHERE $1 IS NULL OR g.area_code = $1 ORDER BY a.meeting_id, m.position, m.id",
                )
                .bind(code)
                .fetch_all(&self.pool)
                .await?;
                let mut meetings = Vec::with_capacity(rows.len());
                let mut index = std::collections::HashMap::new();
                for (id, area, date, kind, title) in rows {
                    index.insert(id, meetings.len());
                    meetings.push(h2h_domain::Meeting {
                        partnership: crate::rows::code(&area)?,
                        date: crate::partnerships::date(&date)?,
                        kind: crate::partnerships::meeting_kind(&kind)?,
                        title,
                        attendance: Vec::new(),
                    });
                }
                for (id, organisation, attendance) in records {
                    if let Some(m) = index.get(&id).and_then(|&i| meetings.get_mut(i)) {
                        m.attendance.push(h2h_domain::AttendanceRecord {
                            organisation,
                            attendance: crate::partnerships::attendance(&attendance)?,
                        });
                    }
                }
                Ok(meetings)
            }

            async fn save_record_extract(
                &self,
                extract: &crate::NewRecordExtract<'_>,
            ) -> Result<crate::RecordExtract, crate::StoreError> {
                let count = |n: u64| i64::try_from(n).unwrap_or(i64::MAX);
                let rejected_rows = extract.rejected.len() as u64;
                let mut tx = self.pool.begin().await?;
                // The next version of the service's extract; the unique (service, version)
                // refuses a second import racing this one to the same number.
                let (latest,): (Option<i64>,) =
                    sqlx::query_as("SELECT MAX(version) FROM record_extracts WHERE service = $1")
                        .bind(extract.service)
                        .fetch_one(&mut *tx)
                        .await?;
                let version = latest.unwrap_or(0) + 1;
                sqlx::query("UPDATE record_extracts SET is_current = 0 WHERE service = $1 AND is_current = 1")
                    .bind(extract.service)
                    .execute(&mut *tx)
                    .await?;
                let (id,): (i64,) = sqlx::query_as(
                    "INSERT INTO record_extracts (service, version, fingerprint, submitted_by, submitted_at, files, \
                     warnings, total_rows, rejected_rows, encoded_bytes, is_current) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 1) RETURNING id",
                )
                .bind(extract.service)
                .bind(version)
                .bind(extract.fingerprint)
                .bind(extract.submitted_by)
                .bind(extract.submitted_at)
                .bind(crate::rows::to_json(&extract.files)?)
                .bind(crate::rows::to_json(&extract.warnings)?)
                .bind(count(extract.total_rows))
                .bind(count(rejected_rows))
                .bind(count(extract.encoded.len() as u64))
                .fetch_one(&mut *tx)
                .await?;
                for (seq, chunk) in extract.encoded.chunks(crate::RECORD_CHUNK_BYTES).enumerate() {
                    sqlx::query("INSERT INTO record_extract_chunks (extract_id, seq, content) VALUES ($1, $2, $3)")
                        .bind(id)
                        .bind(seq as i64)
                        .bind(chunk)
                        .execute(&mut *tx)
                        .await?;
                }
                for (n, chunk) in extract.rejected.chunks(crate::implementation::BATCH_ROWS).enumerate() {
                    let first = n * crate::implementation::BATCH_ROWS;
                    let mut insert = sqlx::QueryBuilder::new(
                        "INSERT INTO record_rejections (extract_id, seq, file, line, column_name, value, reason) ",
                    );
                    insert.push_values(chunk.iter().enumerate(), |mut row, (i, r)| {
                        row.push_bind(id)
                            .push_bind((first + i) as i64)
                            .push_bind(r.file.as_str())
                            .push_bind(count(r.line))
                            .push_bind(r.column.as_str())
                            .push_bind(r.value.as_str())
                            .push_bind(r.reason.as_str());
                    });
                    insert.build().execute(&mut *tx).await?;
                }
                bump_data_version(&mut tx).await?;
                tx.commit().await?;
                Ok(crate::RecordExtract {
                    id,
                    service: extract.service.to_owned(),
                    version,
                    fingerprint: extract.fingerprint.to_owned(),
                    submitted_by: extract.submitted_by.to_owned(),
                    submitted_at: extract.submitted_at.to_owned(),
                    files: extract.files.to_vec(),
                    warnings: extract.warnings.to_vec(),
                    total_rows: extract.total_rows,
                    rejected_rows,
                    encoded_bytes: extract.encoded.len() as u64,
                    current: true,
                })
            }

            async fn record_extracts(
                &self,
                service: Option<&str>,
            ) -> Result<Vec<crate::RecordExtract>, crate::StoreError> {
                let rows: Vec<crate::record_extracts::RecordExtractRow> = sqlx::query_as(&format!(
                    "SELECT {} FROM record_extracts WHERE $1 IS NULL OR service = $1 ORDER BY id DESC",
                    crate::record_extracts::RECORD_EXTRACT_COLUMNS
                ))
                .bind(service)
                .fetch_all(&self.pool)
                .await?;
                rows.into_iter().map(crate::record_extracts::record_extract).collect()
            }

            async fn current_record_extracts(&self) -> Result<Vec<crate::RecordExtract>, crate::StoreError> {
                let rows: Vec<crate::record_extracts::RecordExtractRow> = sqlx::query_as(&format!(
                    "SELECT {} FROM record_extracts WHERE is_current = 1 ORDER BY service, id",
                    crate::record_extracts::RECORD_EXTRACT_COLUMNS
                ))
                .fetch_all(&self.pool)
                .await?;
                rows.into_iter().map(crate::record_extracts::record_extract).collect()
            }

            async fn record_extract_bytes(&self, id: i64) -> Result<Option<Vec<u8>>, crate::StoreError> {
                let (size,): (Option<i64>,) =
                    sqlx::query_as("SELECT MAX(encoded_bytes) FROM record_extracts WHERE id = $1")
                        .bind(id)
                        .fetch_one(&self.pool)
                        .await?;
                let Some(size) = size else {
                    return Ok(None);
                };
                // One chunk at a time, so the whole extract is never held twice.
                let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
                let mut seq = 0i64;
                loop {
                    let chunk: Option<(Vec<u8>,)> = sqlx::query_as(
                        "SELECT content FROM record_extract_chunks WHERE extract_id = $1 AND seq = $2",
                    )
                    .bind(id)
                    .bind(seq)
                    .fetch_optional(&self.pool)
                    .await?;
                    let Some((chunk,)) = chunk else { break };
                    bytes.extend_from_slice(&chunk);
                    seq += 1;
                }
                if bytes.len() as u64 != u64::try_from(size).unwrap_or(0) {
                    return Err(crate::StoreError::Corrupt(format!(
                        "record extract {id}: {} bytes stored of {size}",
                        bytes.len()
                    )));
                }
                Ok(Some(bytes))
            }

            async fn record_rejections(&self, id: i64) -> Result<Vec<crate::RecordRejection>, crate::StoreError> {
                let rows: Vec<(String, i64, String, String, String)> = sqlx::query_as(
                    "SELECT file, line, column_name, value, reason FROM record_rejections \
                     WHERE extract_id = $1 ORDER BY seq",
                )
                .bind(id)
                .fetch_all(&self.pool)
                .await?;
                Ok(rows
                    .into_iter()
                    .map(|(file, line, column, value, reason)| crate::RecordRejection {
                        file,
                        line: u64::try_from(line).unwrap_or(0),
                        column,
                        value,
                        reason,
                    })
                    .collect())
            }

            async fn save_custom_area(
                &self,
                area: &h2h_domain::CustomArea,
                populations: &[h2h_domain::PopulationEstimate],
            ) -> Result<(), crate::StoreError> {
                let mut tx = self.pool.begin().await?;
                let origin: Option<(String,)> = sqlx::query_as("SELECT origin FROM areas WHERE code = $1")
                    .bind(area.code.as_str())
                    .fetch_optional(&mut *tx)
                    .await?;
                if origin.is_some_and(|(o,)| o == "shipped") {
                    return Err(crate::StoreError::Refused(format!(
                        "{} is an area of the shipped geography and cannot be redefined",
                        area.code
                    )));
                }
                sqlx::query(
                    "INSERT INTO areas (code, name, kind, origin, position) \
                     VALUES ($1, $2, $3, 'import', (SELECT COALESCE(MAX(position), 0) + 1 FROM areas)) \
                     ON CONFLICT (code) DO UPDATE SET name = excluded.name, kind = excluded.kind",
                )
                .bind(area.code.as_str())
                .bind(&area.name)
                .bind(area.kind.code())
                .execute(&mut *tx)
                .await?;
                sqlx::query("DELETE FROM area_parents WHERE parent_code = $1 OR area_code = $1")
                    .bind(area.code.as_str())
                    .execute(&mut *tx)
                    .await?;
                let links = area
                    .members
                    .iter()
                    .map(|m| (m, &area.code))
                    .chain(area.parent.iter().map(|p| (&area.code, p)));
                for (child, parent) in links {
                    sqlx::query(
                        "INSERT INTO area_parents (area_code, parent_code, position) \
                         VALUES ($1, $2, (SELECT COUNT(*) FROM area_parents WHERE area_code = $1)) \
                         ON CONFLICT (area_code, parent_code) DO NOTHING",
                    )
                    .bind(child.as_str())
                    .bind(parent.as_str())
                    .execute(&mut *tx)
                    .await?;
                }
                sqlx::query("DELETE FROM area_populations WHERE area_code = $1")
                    .bind(area.code.as_str())
                    .execute(&mut *tx)
                    .await?;
                for estimate in populations {
                    sqlx::query(
                        "INSERT INTO area_populations (area_code, year, age_band, population) VALUES ($1, $2, $3, $4)",
                    )
                    .bind(area.code.as_str())
                    .bind(i64::from(estimate.year))
                    .bind(estimate.age_band.code())
                    .bind(i64::try_from(estimate.population).unwrap_or(i64::MAX))
                    .execute(&mut *tx)
                    .await?;
                }
                bump_data_version(&mut tx).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn create_account(
                &self,
                account: &crate::NewAccount<'_>,
            ) -> Result<crate::Account, crate::StoreError> {
                let mut tx = self.pool.begin().await?;
                let taken: Option<(i64,)> = sqlx::query_as("SELECT id FROM accounts WHERE username = $1")
                    .bind(account.username.as_str())
                    .fetch_optional(&mut *tx)
                    .await?;
                if taken.is_some() {
                    return Err(crate::StoreError::Refused(format!(
                        "there is already an account called {}",
                        account.username
                    )));
                }
                let (id,): (i64,) = sqlx::query_as(
                    "INSERT INTO accounts (username, display_name, role, password_hash, disabled, created_at) \
                     VALUES ($1, $2, $3, $4, 0, $5) RETURNING id",
                )
                .bind(account.username.as_str())
                .bind(account.display_name)
                .bind(account.role.code())
                .bind(account.password_hash)
                .bind(account.created_at)
                .fetch_one(&mut *tx)
                .await?;
                for area in account.areas {
                    sqlx::query(
                        "INSERT INTO account_areas (account_id, area_code) VALUES ($1, $2) ON CONFLICT DO NOTHING",
                    )
                    .bind(id)
                    .bind(area.as_str())
                    .execute(&mut *tx)
                    .await?;
                }
                bump_access_version(&mut tx).await?;
                tx.commit().await?;
                let mut areas = account.areas.to_vec();
                areas.sort();
                areas.dedup();
                Ok(crate::Account {
                    principal: h2h_domain::Principal {
                        account_id: id,
                        username: account.username.clone(),
                        display_name: account.display_name.to_owned(),
                        role: account.role,
                        areas,
                    },
                    disabled: false,
                    created_at: account.created_at.to_owned(),
                })
            }

            async fn accounts(&self) -> Result<Vec<crate::Account>, crate::StoreError> {
                let rows: Vec<crate::accounts::AccountRow> = sqlx::query_as(&format!(
                    "SELECT {} FROM accounts a ORDER BY a.username",
                    crate::accounts::ACCOUNT_COLUMNS
                ))
                .fetch_all(&self.pool)
                .await?;
                let links: Vec<(i64, String)> =
                    sqlx::query_as("SELECT account_id, area_code FROM account_areas ORDER BY account_id, area_code")
                        .fetch_all(&self.pool)
                        .await?;
                let mut by_account: std::collections::HashMap<i64, Vec<String>> =
                    std::collections::HashMap::new();
                for (id, area) in links {
                    by_account.entry(id).or_default().push(area);
                }
                rows.into_iter()
                    .map(|row| {
                        let areas = by_account.remove(&row.0).unwrap_or_default();
                        crate::accounts::account(row, areas)
                    })
                    .collect()
            }

            async fn credentials(
                &self,
                username: &h2h_domain::Username,
            ) -> Result<Option<crate::Credentials>, crate::StoreError> {
                let row: Option<(i64, String, String, String, i64, String, String)> = sqlx::query_as(&format!(
                    "SELECT {}, a.password_hash FROM accounts a WHERE a.username = $1",
                    crate::accounts::ACCOUNT_COLUMNS
                ))
                .bind(username.as_str())
                .fetch_optional(&self.pool)
                .await?;
                let Some((id, name, display, role, disabled, created, password_hash)) = row else {
                    return Ok(None);
                };
                let account = account_with_areas(&self.pool, (id, name, display, role, disabled, created)).await?;
                Ok(Some(crate::Credentials { account, password_hash }))
            }

            async fn set_account_disabled(
                &self,
                username: &h2h_domain::Username,
                disabled: bool,
            ) -> Result<bool, crate::StoreError> {
                let mut tx = self.pool.begin().await?;
                let changed = sqlx::query("UPDATE accounts SET disabled = $1 WHERE username = $2")
                    .bind(i64::from(disabled))
                    .bind(username.as_str())
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                if disabled {
                    sqlx::query(
                        "DELETE FROM sessions WHERE account_id IN (SELECT id FROM accounts WHERE username = $1)",
                    )
                    .bind(username.as_str())
                    .execute(&mut *tx)
                    .await?;
                }
                bump_access_version(&mut tx).await?;
                tx.commit().await?;
                Ok(changed > 0)
            }

            async fn set_password_hash(
                &self,
                username: &h2h_domain::Username,
                password_hash: &str,
            ) -> Result<bool, crate::StoreError> {
                let mut tx = self.pool.begin().await?;
                let changed = sqlx::query("UPDATE accounts SET password_hash = $1 WHERE username = $2")
                    .bind(password_hash)
                    .bind(username.as_str())
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                sqlx::query(
                    "DELETE FROM sessions WHERE account_id IN (SELECT id FROM accounts WHERE username = $1)",
                )
                .bind(username.as_str())
                .execute(&mut *tx)
                .await?;
                bump_access_version(&mut tx).await?;
                tx.commit().await?;
                Ok(changed > 0)
            }

            async fn create_session(
                &self,
                token_sha256: &str,
                account_id: i64,
                created_at: &str,
                expires_at: &str,
            ) -> Result<(), crate::StoreError> {
                sqlx::query(
                    "INSERT INTO sessions (token_sha256, account_id, created_at, expires_at) VALUES ($1, $2, $3, $4)",
                )
                .bind(token_sha256)
                .bind(account_id)
                .bind(created_at)
                .bind(expires_at)
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            async fn session_account(
                &self,
                token_sha256: &str,
                now: &str,
            ) -> Result<Option<crate::SessionAccount>, crate::StoreError> {
                let rows: Vec<crate::accounts::SessionAreaRow> = sqlx::query_as(&format!(
                    "SELECT {}, s.expires_at FROM sessions s JOIN accounts a ON a.id = s.account_id \
                     LEFT JOIN account_areas aa ON aa.account_id = a.id \
                     WHERE s.token_sha256 = $1 AND s.expires_at > $2 AND a.disabled = 0 \
                     ORDER BY aa.area_code",
                    crate::accounts::ACCOUNT_AREA_COLUMNS
                ))
                .bind(token_sha256)
                .bind(now)
                .fetch_all(&self.pool)
                .await?;
                crate::accounts::session_from_area_rows(rows)
            }

            async fn end_session(&self, token_sha256: &str) -> Result<(), crate::StoreError> {
                let mut tx = self.pool.begin().await?;
                sqlx::query("DELETE FROM sessions WHERE token_sha256 = $1")
                    .bind(token_sha256)
                    .execute(&mut *tx)
                    .await?;
                bump_access_version(&mut tx).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn create_api_token(
                &self,
                account_id: i64,
                label: &str,
                token_sha256: &str,
                created_at: &str,
            ) -> Result<i64, crate::StoreError> {
                let (id,): (i64,) = sqlx::query_as(
                    "INSERT INTO api_tokens (account_id, label, token_sha256, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
                )
                .bind(account_id)
                .bind(label)
                .bind(token_sha256)
                .bind(created_at)
                .fetch_one(&self.pool)
                .await?;
                Ok(id)
            }

            async fn token_account(&self, token_sha256: &str) -> Result<Option<crate::Account>, crate::StoreError> {
                let rows: Vec<crate::accounts::AccountAreaRow> = sqlx::query_as(&format!(
                    "SELECT {} FROM api_tokens t JOIN accounts a ON a.id = t.account_id \
                     LEFT JOIN account_areas aa ON aa.account_id = a.id \
                     WHERE t.token_sha256 = $1 AND t.revoked_at IS NULL AND a.disabled = 0 \
                     ORDER BY aa.area_code",
                    crate::accounts::ACCOUNT_AREA_COLUMNS
                ))
                .bind(token_sha256)
                .fetch_all(&self.pool)
                .await?;
                crate::accounts::account_from_area_rows(rows)
            }

            async fn api_tokens(&self, account_id: i64) -> Result<Vec<crate::ApiToken>, crate::StoreError> {
                let rows: Vec<(i64, String, String, Option<String>)> = sqlx::query_as(
                    "SELECT id, label, created_at, revoked_at FROM api_tokens WHERE account_id = $1 ORDER BY id",
                )
                .bind(account_id)
                .fetch_all(&self.pool)
                .await?;
                Ok(rows
                    .into_iter()
                    .map(|(id, label, created_at, revoked_at)| crate::ApiToken { id, label, created_at, revoked_at })
                    .collect())
            }

            async fn revoke_api_token(
                &self,
                account_id: i64,
                token_id: i64,
                at: &str,
            ) -> Result<bool, crate::StoreError> {
                let mut tx = self.pool.begin().await?;
                let revoked = sqlx::query(
                    "UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND account_id = $3 AND revoked_at IS NULL",
                )
                .bind(at)
                .bind(token_id)
                .bind(account_id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                bump_access_version(&mut tx).await?;
                tx.commit().await?;
                Ok(revoked > 0)
            }

            async fn publish_area(&self, publication: &crate::Publication) -> Result<(), crate::StoreError> {
                let mut tx = self.pool.begin().await?;
                sqlx::query(
                    "INSERT INTO publications (area_code, published_by, published_at) VALUES ($1, $2, $3) \
                     ON CONFLICT (area_code) DO UPDATE SET published_by = excluded.published_by, \
                     published_at = excluded.published_at",
                )
                .bind(publication.area_code.as_str())
                .bind(&publication.published_by)
                .bind(&publication.published_at)
                .execute(&mut *tx)
                .await?;
                bump_access_version(&mut tx).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn unpublish_area(&self, area: &h2h_domain::AreaCode) -> Result<bool, crate::StoreError> {
                let mut tx = self.pool.begin().await?;
                let removed = sqlx::query("DELETE FROM publications WHERE area_code = $1")
                    .bind(area.as_str())
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                bump_access_version(&mut tx).await?;
                tx.commit().await?;
                Ok(removed > 0)
            }

            async fn publications(&self) -> Result<Vec<crate::Publication>, crate::StoreError> {
                let rows: Vec<(String, String, String)> = sqlx::query_as(
                    "SELECT area_code, published_by, published_at FROM publications ORDER BY area_code",
                )
                .fetch_all(&self.pool)
                .await?;
                rows.into_iter()
                    .map(|(code, published_by, published_at)| {
                        Ok(crate::Publication {
                            area_code: h2h_domain::AreaCode::parse(&code)
                                .map_err(|e| crate::StoreError::Corrupt(e.to_string()))?,
                            published_by,
                            published_at,
                        })
                    })
                    .collect()
            }

            async fn append_audit(&self, entry: &crate::AuditEntry) -> Result<i64, crate::StoreError> {
                let (id,): (i64,) = sqlx::query_as(
                    "INSERT INTO audit_log (at, actor, action, subject, outcome, detail, remote) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
                )
                .bind(&entry.at)
                .bind(&entry.actor)
                .bind(&entry.action)
                .bind(&entry.subject)
                .bind(&entry.outcome)
                .bind(&entry.detail)
                .bind(&entry.remote)
                .fetch_one(&self.pool)
                .await?;
                Ok(id)
            }

            async fn audit_entries(
                &self,
                filter: &crate::AuditFilter,
            ) -> Result<Vec<crate::AuditEntry>, crate::StoreError> {
                let rows: Vec<crate::accounts::AuditRow> = sqlx::query_as(&format!(
                    "SELECT {} FROM audit_log WHERE ($1 IS NULL OR action = $1) AND ($2 IS NULL OR actor = $2) \
                     ORDER BY id DESC LIMIT $3",
                    crate::accounts::AUDIT_COLUMNS
                ))
                .bind(filter.action.as_deref())
                .bind(filter.actor.as_deref())
                .bind(filter.limit.unwrap_or(i64::MAX))
                .fetch_all(&self.pool)
                .await?;
                Ok(rows.into_iter().map(crate::accounts::audit_entry).collect())
            }

            async fn count_audit_since(
                &self,
                action: &str,
                outcome: &str,
                subject: &str,
                remote: &str,
                since: &str,
            ) -> Result<i64, crate::StoreError> {
                let (count,): (i64,) = sqlx::query_as(
                    "SELECT COUNT(*) FROM audit_log WHERE action = $1 AND outcome = $2 AND at >= $5 \
                     AND (subject = $3 OR remote = $4)",
                )
                .bind(action)
                .bind(outcome)
                .bind(subject)
                .bind(remote)
                .bind(since)
                .fetch_one(&self.pool)
                .await?;
                Ok(count)
            }
        }

        /// An account from its row, with its areas read.
        async fn account_with_areas(
            pool: &sqlx::Pool<<$store as crate::implementation::HasDatabase>::Database>,
            row: crate::accounts::AccountRow,
        ) -> Result<crate::Account, crate::StoreError> {
            let areas: Vec<(String,)> =
                sqlx::query_as("SELECT area_code FROM account_areas WHERE account_id = $1 ORDER BY area_code")
                    .bind(row.0)
                    .fetch_all(pool)
                    .await?;
            crate::accounts::account(row, areas.into_iter().map(|(a,)| a).collect())
        }

        /// Counts every committed change to who may see what (see [`crate::Versions`]), so
        /// caches of principals and publications know when to forget.
        async fn bump_access_version<'c>(
            tx: &mut sqlx::Transaction<'c, <$store as crate::implementation::HasDatabase>::Database>,
        ) -> Result<(), crate::StoreError> {
            bump_counter(tx, "access_version").await
        }

        /// Counts every committed change to reference data, values or areas, so caches of
        /// derived figures know when to rebuild.
        async fn bump_data_version<'c>(
            tx: &mut sqlx::Transaction<'c, <$store as crate::implementation::HasDatabase>::Database>,
        ) -> Result<(), crate::StoreError> {
            bump_counter(tx, "data_version").await
        }

        /// Adds one to the counter `key` of the metadata table within `tx`.
        async fn bump_counter<'c>(
            tx: &mut sqlx::Transaction<'c, <$store as crate::implementation::HasDatabase>::Database>,
            key: &str,
        ) -> Result<(), crate::StoreError> {
            sqlx::query(
                "INSERT INTO metadata (key, value) VALUES ($1, '1') ON CONFLICT (key) \
                 DO UPDATE SET value = CAST(CAST(metadata.value AS BIGINT) + 1 AS TEXT)",
            )
            .bind(key)
            .execute(&mut **tx)
            .await?;
            Ok(())
        }

        /// Adds an update to an action's history; with `only_if_new`, not when the history
        /// already has one of the same date, text and area. Gives how many rows were added.
        async fn insert_action_update<'c>(
            tx: &mut sqlx::Transaction<'c, <$store as crate::implementation::HasDatabase>::Database>,
            action_id: i64,
            update: &h2h_domain::ActionUpdate,
            recorded_at: &str,
            only_if_new: bool,
        ) -> Result<u64, crate::StoreError> {
            let mut sql = String::from(
                "INSERT INTO action_updates (action_id, update_date, author, text, area_code, status, \
                 recorded_at) SELECT $1, $2, $3, $4, $5, $6, $7",
            );
            if only_if_new {
                sql.push_str(
                    " WHERE NOT EXISTS (SELECT 1 FROM action_updates WHERE action_id = $1 \
                     AND COALESCE(update_date, '') = COALESCE($2, '') AND text = $4 \
                     AND COALESCE(area_code, '') = COALESCE($5, ''))",
                );
            }
            let added = sqlx::query(&sql)
                .bind(action_id)
                .bind(update.date.map(crate::plans::date_text))
                .bind(update.author.as_str())
                .bind(update.text.as_str())
                .bind(update.area_code.as_ref().map(|a| a.as_str()))
                .bind(update.status.code())
                .bind(recorded_at)
                .execute(&mut **tx)
                .await?
                .rows_affected();
            Ok(added)
        }

        async fn set_metadata<'c>(
            tx: &mut sqlx::Transaction<'c, <$store as crate::implementation::HasDatabase>::Database>,
            key: &str,
            value: &str,
        ) -> Result<(), crate::StoreError> {
            sqlx::query(
                "INSERT INTO metadata (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            )
            .bind(key)
            .bind(value)
            .execute(&mut **tx)
            .await?;
            Ok(())
        }
    };
}
pub(crate) use implement_store;

/// Names the sqlx database type behind each store, for helpers the macro declares, and does
/// the one thing each backend does its own way: inserting a large return.
pub(crate) trait HasDatabase {
    type Database: sqlx::Database;

    /// Inserts `revisions`, current, for submission `submission_id` within `tx`.
    async fn insert_observations(
        tx: &mut sqlx::Transaction<'_, Self::Database>,
        revisions: &[SeriesRevision<'_>],
        submission_id: i64,
        submission: &crate::NewSubmission<'_>,
    ) -> Result<(), crate::StoreError>;
}

impl HasDatabase for crate::SqliteStore {
    type Database = sqlx::Sqlite;

    async fn insert_observations(
        tx: &mut sqlx::Transaction<'_, sqlx::Sqlite>,
        revisions: &[SeriesRevision<'_>],
        submission_id: i64,
        submission: &crate::NewSubmission<'_>,
    ) -> Result<(), crate::StoreError> {
        crate::sqlite::insert_observations(tx, revisions, submission_id, submission).await
    }
}

impl HasDatabase for crate::PostgresStore {
    type Database = sqlx::Postgres;

    /// Each batch goes as one JSON array that PostgreSQL unpacks itself: binding eighteen
    /// parameters a row costs far more than parsing the array.
    async fn insert_observations(
        tx: &mut sqlx::Transaction<'_, sqlx::Postgres>,
        revisions: &[SeriesRevision<'_>],
        submission_id: i64,
        submission: &crate::NewSubmission<'_>,
    ) -> Result<(), crate::StoreError> {
        for chunk in revisions.chunks(JSON_BATCH_ROWS) {
            let rows: Vec<RevisionRow<'_>> = chunk
                .iter()
                .map(|revision| revision_row(revision, submission.source))
                .collect();
            sqlx::query(
                "INSERT INTO observations (series_id, period, revision, is_current, numerator, denominator, \
                 value, lower_ci, upper_ci, status, source, note, submission_id, published) \
                 SELECT (e ->> 0)::bigint, e ->> 1, (e ->> 2)::bigint, 1, (e ->> 3)::double precision, \
                 (e ->> 4)::double precision, (e ->> 5)::double precision, (e ->> 6)::double precision, \
                 (e ->> 7)::double precision, e ->> 8, e ->> 9, e ->> 10, $2, $3 \
                 FROM jsonb_array_elements($1::jsonb) AS e",
            )
            .bind(crate::rows::to_json(&rows)?)
            .bind(submission_id)
            .bind(i64::from(submission.published))
            .execute(&mut **tx)
            .await?;
        }
        Ok(())
    }
}

/// Revisions per JSON batch.
const JSON_BATCH_ROWS: usize = 20_000;

/// A revision as a JSON array, in the column order of the PostgreSQL insert.
type RevisionRow<'a> = (
    i64,
    String,
    i64,
    Option<f64>,
    Option<f64>,
    Option<f64>,
    Option<f64>,
    Option<f64>,
    &'static str,
    Option<&'a str>,
    Option<&'a str>,
);

fn revision_row<'a>(revision: &SeriesRevision<'a>, source: Option<&'a str>) -> RevisionRow<'a> {
    let o = &revision.revision.observation;
    (
        revision.series_id,
        o.key.period.code(),
        revision.revision.revision,
        o.numerator,
        o.denominator,
        o.value,
        o.lower_ci,
        o.upper_ci,
        o.status.code(),
        o.source.as_deref().or(source),
        o.note.as_deref(),
    )
}

/// A revision with the id of its series (metric, area and breakdown).
pub(crate) struct SeriesRevision<'a> {
    pub(crate) series_id: i64,
    pub(crate) revision: &'a crate::NewRevision<'a>,
}

/// A series as its metric, area and breakdown text.
pub(crate) type SeriesKey<'a> = (&'a str, &'a str, String);

/// The distinct series of `revisions`, in order.
pub(crate) fn series_of<'a>(revisions: &[crate::NewRevision<'a>]) -> Vec<SeriesKey<'a>> {
    // Revisions come in key order, so a series' rows mostly follow one another: only the
    // first of each run goes into the set, which spares a tree search of string comparisons
    // (and a breakdown's text) a row.
    let mut previous: Option<&h2h_domain::ValueKey> = None;
    let mut series = std::collections::BTreeSet::new();
    for revision in revisions {
        let key = &revision.observation.key;
        if previous.is_some_and(|earlier| same_series(earlier, key)) {
            continue;
        }
        previous = Some(key);
        series.insert((
            key.metric_id.as_str(),
            key.area_code.as_str(),
            crate::returns::key_breakdown(key),
        ));
    }
    series.into_iter().collect()
}

/// Whether two keys are of one series: the same metric, area and breakdown.
fn same_series(a: &h2h_domain::ValueKey, b: &h2h_domain::ValueKey) -> bool {
    a.metric_id == b.metric_id && a.area_code == b.area_code && a.breakdown == b.breakdown
}

/// Pairs each revision with its series' id from `ids`, which must hold every series.
pub(crate) fn with_series_ids<'a>(
    revisions: &'a [crate::NewRevision<'a>],
    ids: &std::collections::HashMap<(String, String, String), i64>,
) -> Result<Vec<SeriesRevision<'a>>, crate::StoreError> {
    // Revisions come in key order, so a series' rows mostly follow one another: looking up
    // only when the series changes saves a hash of three strings a row.
    let mut last: Option<(&crate::NewRevision<'_>, i64)> = None;
    revisions
        .iter()
        .map(|revision| {
            let key = &revision.observation.key;
            let series_id = match last {
                Some((previous, id)) if same_series(&previous.observation.key, key) => id,
                _ => *ids
                    .get(&(
                        key.metric_id.as_str().to_owned(),
                        key.area_code.as_str().to_owned(),
                        crate::returns::key_breakdown(key),
                    ))
                    .ok_or_else(|| {
                        crate::StoreError::Corrupt(format!(
                            "no series was stored for {} in {}",
                            key.metric_id, key.area_code
                        ))
                    })?,
            };
            last = Some((revision, series_id));
            Ok(SeriesRevision {
                series_id,
                revision,
            })
        })
        .collect()
}
