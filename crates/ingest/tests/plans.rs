//! Delivery plans: the two seed plans load completely from the repository's fixtures, a
//! second import changes nothing, and an update made on an old version of an action is
//! refused. Run against SQLite and PostgreSQL alike.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use h2h_domain::{ActionUpdate, DeliveryStatus, PlanAction};
use h2h_ingest::{import_areas, import_plan, open_with_reference_data, read_areas};
use h2h_store::{Store, StoreError, StoredPlan, on_both_backends};
use time::macros::date;

const DURHAM: &str = include_str!("../../../fixtures/plans/durham_darlington.csv");
const NATIONAL: &str = include_str!("../../../fixtures/plans/national_2008_2011.csv");
const DEMO_AREAS: &str = include_str!("../../../fixtures/demo/areas.csv");

on_both_backends!(
    the_seed_plans_load_completely,
    importing_a_plan_again_changes_nothing,
    an_update_on_an_old_version_is_refused,
);

async fn store_with_plans(url: &str) -> std::sync::Arc<dyn Store> {
    let store = open_with_reference_data(url).await.unwrap();
    let areas = read_areas("areas.csv", DEMO_AREAS).unwrap();
    import_areas(store.as_ref(), areas).await.unwrap();
    for (name, text) in [("durham.csv", DURHAM), ("national.csv", NATIONAL)] {
        let import = import_plan(store.as_ref(), name, text.as_bytes(), None, "test import")
            .await
            .unwrap();
        assert!(import.rejected.is_empty(), "{name}: {:?}", import.rejected);
        assert!(import.ignored_columns.is_empty());
    }
    store
}

async fn plan_of(store: &dyn Store, area: &str) -> StoredPlan {
    let area = h2h_domain::AreaCode::parse(area).unwrap();
    let plans = store.plans(Some(&area)).await.unwrap();
    assert_eq!(plans.len(), 1, "{plans:?}");
    store.plan(plans[0].id).await.unwrap().unwrap()
}

fn action<'a>(plan: &'a StoredPlan, number: &str) -> &'a PlanAction {
    &plan
        .actions
        .iter()
        .find(|a| a.action.action_no == number)
        .unwrap()
        .action
}

async fn the_seed_plans_load_completely(url: &str) {
    let store = store_with_plans(url).await;
    let durham = plan_of(store.as_ref(), "CDP-DURHAM-DARLINGTON").await;
    assert_eq!(durham.actions.len(), 40);
    let updates: usize = durham.actions.iter().map(|a| a.action.updates.len()).sum();
    assert_eq!(updates, 40);
    let numbers: Vec<&str> = durham
        .actions
        .iter()
        .map(|a| a.action.action_no.as_str())
        .collect();
    let expected: Vec<String> = (1..=40).map(|n| n.to_string()).collect();
    assert_eq!(numbers, expected);

    let first = action(&durham, "1");
    assert_eq!(first.leads, ["Durham OPCC", "Stephanie Kilili-Guttridge"]);
    assert_eq!(first.deadline.text, "Start of contract 01.05.24");
    assert_eq!(first.deadline.date, Some(date!(2024 - 05 - 01)));
    assert_eq!(
        first.objective,
        "Objective 1: To Break the Drugs Supply Chains"
    );
    assert!(
        first.updates[0]
            .text
            .starts_with("Cranstoun has been commissioned")
    );

    let seventeen = action(&durham, "17");
    assert_eq!(seventeen.leads, ["Public Health", "JS", "RO", "KR", "MH"]);
    assert_eq!(
        seventeen.metric_ids[0].as_str(),
        "durham.numbers_in_treatment"
    );
    assert_eq!(seventeen.updates.len(), 2);
    let areas: Vec<Option<&str>> = seventeen
        .updates
        .iter()
        .map(|u| u.area_code.as_ref().map(|a| a.as_str()))
        .collect();
    assert_eq!(areas, [None, Some("E06000047")]);
    assert!(seventeen.updates[1].text.starts_with("Durham Update:"));
    assert_eq!(action(&durham, "39").metric_ids.len(), 4);
    assert!(action(&durham, "15").updates.is_empty());

    let national = plan_of(store.as_ref(), "E92000001").await;
    assert_eq!(national.actions.len(), 87);
    assert!(national.actions.iter().all(|a| a.action.updates.is_empty()));
    let one = action(&national, "1");
    assert_eq!(one.leads, ["HO"]);
    assert_eq!(one.deadline.text, "Ongoing, from April 2008");
    assert_eq!(one.deadline.date, None);
    assert!(
        one.coverage
            .as_deref()
            .unwrap()
            .starts_with("To be determined")
    );
    let three = action(&national, "3");
    assert_eq!(three.deadline.date, Some(date!(2009 - 03 - 31)));
    assert_eq!(
        three.action,
        "Increase the number of DIP conditional cautions to 2,000"
    );
    let five = action(&national, "5");
    assert_eq!(five.leads, ["HO", "MoJ"]);
    assert_eq!(five.deadline.date, Some(date!(2008 - 12 - 31)));
    assert_eq!(action(&national, "8").deadline.date, None);
    assert_eq!(action(&national, "12").leads.len(), 4);
    // Nothing in the seeds is marked done, so by today every dated action is overdue.
    assert!(three.is_overdue(date!(2026 - 11 - 23)));
    assert!(!three.is_overdue(date!(2009 - 03 - 31)));
}

async fn importing_a_plan_again_changes_nothing(url: &str) {
    let store = store_with_plans(url).await;
    let before = plan_of(store.as_ref(), "CDP-DURHAM-DARLINGTON").await;
    let again = import_plan(
        store.as_ref(),
        "durham.csv",
        DURHAM.as_bytes(),
        None,
        "again",
    )
    .await
    .unwrap();
    assert_eq!(again.saved.len(), 1);
    assert_eq!(again.saved[0].1.updates_added, 0);
    let after = plan_of(store.as_ref(), "CDP-DURHAM-DARLINGTON").await;
    assert_eq!(after.to_plan(), before.to_plan());
}

async fn an_update_on_an_old_version_is_refused(url: &str) {
    let store = store_with_plans(url).await;
    let plan = plan_of(store.as_ref(), "CDP-DURHAM-DARLINGTON").await;
    let target = &plan.actions[4];
    let update = ActionUpdate {
        date: Some(date!(2024 - 09 - 30)),
        author: "Partnership lead".into(),
        text: "Slipped: the provider has not recruited".into(),
        area_code: None,
        status: DeliveryStatus::Red,
    };
    let version = store
        .add_action_update(target.id, target.version, &update, "2024-10-01T09:00:00Z")
        .await
        .unwrap();
    assert_eq!(version, target.version + 1);
    let stale = store
        .add_action_update(target.id, target.version, &update, "2024-10-01T09:01:00Z")
        .await;
    assert!(matches!(stale, Err(StoreError::Conflict(_))), "{stale:?}");
    let after = plan_of(store.as_ref(), "CDP-DURHAM-DARLINGTON").await;
    let changed = &after.actions[4].action;
    assert_eq!(changed.status, DeliveryStatus::Red);
    assert_eq!(changed.updates.len(), target.action.updates.len() + 1);
    assert_eq!(changed.updates.last().unwrap().text, update.text);
}
