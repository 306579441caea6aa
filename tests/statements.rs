//! Nested lists cost a bounded number of SQL statements: the count does not grow with the number
//! of rows. Its own test binary, because it counts every statement the process runs.

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};

use serde_json::json;
use tracing::Subscriber;
use tracing_subscriber::layer::{Context, SubscriberExt};
use tracing_subscriber::{Layer, Registry};

static STATEMENTS: AtomicUsize = AtomicUsize::new(0);

/// The tests here run one at a time: the counter counts every statement of the process.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// Counts sqlx's per-statement log events.
struct CountStatements;

impl<S: Subscriber> Layer<S> for CountStatements {
    fn on_event(&self, event: &tracing::Event<'_>, _ctx: Context<'_, S>) {
        if event.metadata().target() != "sqlx::query" {
            return;
        }
        let mut summary = Summary(String::new());
        event.record(&mut summary);
        // Connection set-up (pragmas of a fresh pooled connection) is not the query's cost.
        if !summary.0.to_ascii_lowercase().contains("pragma") {
            if std::env::var_os("SHOW_SQL").is_some() {
                eprintln!("SQL {}", summary.0);
            }
            STATEMENTS.fetch_add(1, Ordering::SeqCst);
        }
    }
}

struct Summary(String);

impl tracing::field::Visit for Summary {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        if field.name() == "summary" {
            self.0 = format!("{value:?}");
        }
    }
}

const NESTED: &str = "query($n: Int) { engagements(first: $n) { nodes {
    title programme { code engagementCount engagements { id } }
    recipientCountries { percentage country { iso3 subRegion { name parent { name } } groupings { code } } }
    participatingOrganisations { role organisation { name country { iso3 } } }
    sectors { code } sdgTargets budgets { amount } documents { title }
    activityCount activities { title participants { total female } country { iso3 region { name } } engagement { title } }
    results { title indicators { code progress baseline { value } targets { value } actuals { value country { iso3 } } } }
} } }";

const NESTED_EVENTS: &str = "query($n: Int) {
    events(first: $n) { nodes { title coOrganisers { name } speakers { name organisation { name } }
        venue { country { iso3 } } programmes { code } engagements { title } documents { title } } }
    lessons(first: $n) { nodes { title countries { iso3 } areas { name } sourceEngagement { title } documents { title } } }
}";

/// Statements one request costs; `root` is the list whose length must be `n`.
async fn statements_for(
    app: &common::TestApp,
    query: &str,
    root: &str,
    token: &str,
    n: i64,
) -> usize {
    let before = STATEMENTS.load(Ordering::SeqCst);
    let data = app.ok(query, json!({"n": n}), Some(token)).await;
    assert_eq!(data[root]["nodes"].as_array().unwrap().len() as i64, n);
    STATEMENTS.load(Ordering::SeqCst) - before
}

async fn post(
    app: &common::TestApp,
    token: &str,
    query: &str,
    variables: serde_json::Value,
) -> serde_json::Value {
    app.ok(query, variables, Some(token)).await
}

/// Ten engagements, each with two countries, three activities, a result with an indicator and
/// values, an event and a lesson.
async fn populate(app: &common::TestApp, admin: &str) {
    let org = post(app, admin, "mutation { createOrganisation(input: {name: \"Government of Norway\", type: \"10\", country: \"NOR\"}) { id } }", json!({})).await;
    let org = org["createOrganisation"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    post(
        app,
        admin,
        "mutation { createProgramme(input: {code: \"P\", title: \"P\"}) { id } }",
        json!({}),
    )
    .await;
    let countries = [
        "IDN", "KAZ", "TUN", "BFA", "PHL", "UZB", "NOR", "THA", "EGY", "KEN",
    ];
    for (i, c) in countries.iter().enumerate() {
        let created = post(app, admin, "mutation($i: CreateEngagementInput!) { createEngagement(input: $i) { id } }",
            json!({"i": {"programme": "P", "title": format!("E{i}"), "status": "2", "sectors": [{"code": "15130", "percentage": 100}], "plannedStart": "2020-01-01",
                "recipientCountries": [{"country": c, "percentage": 50}, {"country": countries[(i + 1) % 10], "percentage": 50}],
                "participatingOrganisations": [{"organisation": org, "role": "1"}],
                "sectors": [{"code": "15130", "percentage": 100}], "sdgTargets": ["16.3"],
                "budgets": [{"periodStart": "2020-01-01", "periodEnd": "2020-12-31", "amount": 1.0, "currency": "USD"}]}})).await;
        let id = created["createEngagement"]["id"].as_str().unwrap();
        for day in 1..=3 {
            post(app, admin, "mutation($i: LogActivityInput!) { logActivity(input: $i) { id } }",
                json!({"i": {"engagement": id, "kind": "TRAINING", "title": format!("T{day}"),
                    "startDate": format!("2021-03-0{day}"), "endDate": format!("2021-03-0{day}"), "country": c,
                    "participants": {"total": 20, "female": 8, "male": 10}}})).await;
        }
        let result = post(app, admin, "mutation($e: ID!) { createResult(input: {engagement: $e, type: \"2\", title: \"Outcome\"}) { id } }", json!({"e": id})).await;
        let result = result["createResult"]["id"].as_str().unwrap();
        let indicator = post(app, admin, "mutation($r: ID!, $c: String!) { createIndicator(input: {result: $r, code: $c, title: \"Trained\", measure: UNIT, ascending: true, aggregation: SUM, baseline: {year: 2020, value: 0}}) { id } }",
            json!({"r": result, "c": format!("IND-{i}")})).await;
        let indicator = indicator["createIndicator"]["id"].as_str().unwrap();
        for (kind, value) in [
            ("setIndicatorTarget", 100.0),
            ("recordIndicatorActual", 40.0),
        ] {
            post(app, admin, &format!("mutation($i: IndicatorValueInput!) {{ {kind}(input: $i) {{ id }} }}"),
                json!({"i": {"indicator": indicator, "periodStart": "2021-01-01", "periodEnd": "2021-12-31", "value": value, "country": c}})).await;
        }
        post(app, admin, "mutation($i: EventInput!) { createEvent(input: $i) { id } }",
            json!({"i": {"kind": "WORKSHOP", "title": format!("W{i}"), "startDate": "2021-05-01", "endDate": "2021-05-02",
                "venue": {"city": "Vienna", "country": "AUT"}, "coOrganisers": [org], "programmes": ["P"], "engagements": [id],
                "speakers": [{"name": "S", "position": "Chair", "organisation": org}]}})).await;
        post(app, admin, "mutation($i: LessonInput!) { recordLesson(input: $i) { id } }",
            json!({"i": {"title": format!("L{i}"), "statement": "Prison management first.", "source": id,
                "countries": [c], "areas": ["143", "UNODC-MENA"]}})).await;
    }
}

async fn check(app: common::TestApp) {
    let admin = app.admin().await;
    populate(&app, &admin).await;
    for (query, root) in [(NESTED, "engagements"), (NESTED_EVENTS, "events")] {
        // Loads of one relation reached by two paths at the same depth (a country under an
        // engagement and under its activities) share a batch when they arrive within the loader's
        // window and split in two when the machine is slow: a difference of a statement or so
        // that has nothing to do with the rows (three relations here are reached by several
        // paths: country, region, engagement). Per-row loading would add dozens here.
        let mut two = usize::MAX;
        let mut ten = usize::MAX;
        for _ in 0..3 {
            if std::env::var_os("SHOW_SQL").is_some() {
                eprintln!("--- two");
            }
            two = two.min(statements_for(&app, query, root, &admin, 2).await);
            if std::env::var_os("SHOW_SQL").is_some() {
                eprintln!("--- ten");
            }
            ten = ten.min(statements_for(&app, query, root, &admin, 10).await);
        }
        assert!(
            two > 3,
            "the counter sees every statement of a request that runs: {two}"
        );
        assert!(
            ten <= two + 3,
            "statements per request must not grow with the page size ({two} for 2 rows, {ten} for 10)"
        );
        assert!(
            ten <= 40,
            "bounded by the query's depth, not its rows: {ten}"
        );
    }
}

#[tokio::test]
async fn nested_lists_cost_the_same_statements_for_two_rows_as_for_ten() {
    let _one = ONE_AT_A_TIME.lock().await;
    let _ = tracing::subscriber::set_global_default(Registry::default().with(CountStatements));
    // Without the response cache: it answers a repeated request in three statements, so the
    // least of three runs would compare the cache with itself, whatever the lists cost.
    let limits = || ta_tracker::config::Limits {
        response_cache_mb: 0,
        ..Default::default()
    };
    check(common::TestApp::sqlite_with(limits()).await).await;
    if let Some(app) = common::TestApp::postgres_with(limits()).await {
        check(app).await;
    }
}

/// Every region of a level with its first countries and their count, and the groupings' too.
const REGION_COUNTRIES: &str = "query($level: RegionLevel) {
    regions(level: $level) { code countries(first: 5) { totalCount nodes { iso3 region { name } } } }
    groupings { code countries(first: 5) { totalCount nodes { iso3 } } }
}";

async fn check_region_countries(app: common::TestApp) {
    let mut counts = Vec::new();
    for level in ["WORLD", "REGION", "SUB_REGION"] {
        let before = STATEMENTS.load(Ordering::SeqCst);
        let data = app
            .ok(REGION_COUNTRIES, json!({"level": level}), None)
            .await;
        let statements = STATEMENTS.load(Ordering::SeqCst) - before;
        let regions = data["regions"].as_array().unwrap();
        assert!(
            regions
                .iter()
                .all(|r| r["countries"]["nodes"].as_array().unwrap().len() == 5),
            "{data}"
        );
        counts.push((level, regions.len(), statements));
    }
    let [(_, one, world), (_, few, region), (_, many, sub_region)] = counts[..] else {
        unreachable!()
    };
    assert!(one == 1 && few >= 5 && many >= 3 * few, "{counts:?}");
    assert!(world > 0, "the counter sees statements");
    // The regions, their countries, the groupings and their countries: one statement each, as
    // many for 17 sub-regions as for 5 regions (one more when a level's loads arrive either side
    // of the loader's batching window); one per region used to be two (a page and its count).
    assert!(
        sub_region <= region + 1 && region <= world + 1,
        "statements per request must not grow with the regions: {counts:?}"
    );
    assert!(sub_region <= 6, "{counts:?}");
}

#[tokio::test]
async fn a_region_list_costs_the_same_statements_for_five_regions_as_for_seventeen() {
    let _one = ONE_AT_A_TIME.lock().await;
    let _ = tracing::subscriber::set_global_default(Registry::default().with(CountStatements));
    // Without the response cache, whose version reads would count too.
    let limits = || ta_tracker::config::Limits {
        response_cache_mb: 0,
        ..Default::default()
    };
    check_region_countries(common::TestApp::sqlite_with(limits()).await).await;
    if let Some(app) = common::TestApp::postgres_with(limits()).await {
        check_region_countries(app).await;
    }
}
