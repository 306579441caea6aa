//! Load benchmark: seeds synthetic data into a fresh database, starts the release server on it
//! and drives it over HTTP with concurrent clients, checking every response body.
//!
//!   cargo build --release
//!   cargo bench --bench load -- --engine sqlite|postgres --activities 1000000 --clients 16 --duration 20
//!
//! `--database-url URL` reuses a database seeded before (`ta-tracker seed --synthetic`) instead.
//! `--peer URL --peer-query FILE [--peer-pid PID] [--peer-name NAME]` also drives another GraphQL
//! server (say an independent engine serving the same PostgreSQL tables) with FILE, its form of
//! the nested list, right after ours, with the same clients and checks.
//! Scenarios named "repeated" send the same text every time, as a refreshing dashboard does, and
//! are answered from the server's response cache while nothing writes; the others make every
//! request's text differ (a trailing comment), so the server runs each one.
//! PostgreSQL: a database `ta_bench` is (re)created on TA_TRACKER_BENCH_POSTGRES_URL (default
//! postgres://postgres@127.0.0.1:5432/postgres). Clients are plain threads with a minimal
//! HTTP/1.1 keep-alive client, so the harness adds no dependencies. See docs/performance.md.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

const BIN: &str = "target/release/ta-tracker";

struct Args {
    engine: String,
    activities: u64,
    clients: usize,
    duration: u64,
    port: u16,
    /// Clients for the closing memory pass (the 150 MB target is for 64).
    memory_clients: usize,
    /// An already seeded database to use instead of a fresh one.
    database_url: Option<String>,
    /// Another GraphQL endpoint to drive with the nested list, and its form of the query.
    peer: Option<String>,
    peer_query: Option<String>,
    peer_pid: u32,
    peer_name: String,
}

fn args() -> Args {
    let mut a = Args {
        engine: "sqlite".into(),
        activities: 100_000,
        clients: 16,
        duration: 20,
        port: 18_080,
        memory_clients: 64,
        database_url: None,
        peer: None,
        peer_query: None,
        peer_pid: 0,
        peer_name: "peer".into(),
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().unwrap_or_default();
        match flag.as_str() {
            "--engine" => a.engine = value(),
            "--activities" => a.activities = value().parse().expect("--activities N"),
            "--clients" => a.clients = value().parse().expect("--clients N"),
            "--duration" => a.duration = value().parse().expect("--duration SECONDS"),
            "--port" => a.port = value().parse().expect("--port N"),
            "--memory-clients" => a.memory_clients = value().parse().expect("--memory-clients N"),
            "--database-url" => a.database_url = Some(value()),
            "--peer" => a.peer = Some(value()),
            "--peer-query" => {
                let path = value();
                let text = std::fs::read_to_string(&path)
                    .unwrap_or_else(|e| panic!("--peer-query {path}: {e}"));
                a.peer_query = Some(text);
            }
            "--peer-pid" => a.peer_pid = value().parse().expect("--peer-pid PID"),
            "--peer-name" => a.peer_name = value(),
            _ => {} // cargo bench passes --bench
        }
    }
    a
}

fn main() {
    let a = args();
    assert!(
        std::path::Path::new(BIN).exists(),
        "build the server first: cargo build --release"
    );
    let dir = tempfile::tempdir().expect("temp dir");
    let url = match (&a.database_url, a.engine.as_str()) {
        (Some(url), _) => url.clone(),
        (None, "sqlite") => format!("sqlite://{}", dir.path().join("bench.db").display()),
        (None, "postgres") => fresh_postgres(),
        (None, other) => panic!("--engine sqlite|postgres, not {other}"),
    };
    if a.database_url.is_none() {
        let started = Instant::now();
        run_ok(&[
            "seed",
            "--synthetic",
            "--activities",
            &a.activities.to_string(),
            "--database-url",
            &url,
        ]);
        println!(
            "engine {}: seeded {} activities in {:.1}s",
            a.engine,
            a.activities,
            started.elapsed().as_secs_f64()
        );
    } else {
        println!("engine {}: using the seeded database {url}", a.engine);
    }
    let token = run_ok(&[
        "token",
        "create",
        "--role",
        "admin",
        "--name",
        "bench",
        "--database-url",
        &url,
    ])
    .trim()
    .to_string();
    let schema = run_ok(&["schema"]);

    let addr = format!("127.0.0.1:{}", a.port);
    let server = start_server(&url, &addr, None);
    let pid = server.0.id();
    let mut b = Bench {
        addr: addr.clone(),
        path: "/graphql".into(),
        token: token.clone(),
        clients: a.clients,
        duration: Duration::from_secs(a.duration),
        pid,
    };
    println!("{} clients, {} s per scenario", a.clients, a.duration);
    let nested = nested_query(&schema);
    nested_shape(&b, &nested);
    header();
    // Two ways to ask the same thing: the same text every time, as a dashboard refreshing or
    // many people opening the same page do (answered from the response cache while nothing
    // writes), and a text that differs every time (`fresh`), which runs the query each time.
    b.run("nested list, repeated", |_| gql(&nested, json!({})));
    b.run("nested list, never repeated", |i| {
        gql(&fresh(&nested, i), json!({}))
    });
    if let Some(peer) = &a.peer {
        let query = a
            .peer_query
            .as_deref()
            .expect("--peer-query FILE with --peer");
        compare_peer(&b, peer, a.peer_pid, &a.peer_name, &nested, query);
    }
    // The same shape with 5 activities an engagement instead of the default 20: how throughput
    // follows the rows a response carries.
    let lighter = nested.replace("activities {", "activities(first: 5) {");
    b.run("nested list, 5 each, never rep.", |i| {
        gql(&fresh(&lighter, i), json!({}))
    });
    if schema.contains("regionalSummary(") {
        let quarter = json!({ "year": 2023, "quarter": 2 });
        for (label, region, period) in [
            ("regionalSummary 001", "001", Value::Null),
            ("regionalSummary 143", "143", Value::Null),
            ("regionalSummary 001 2023", "001", json!({ "year": 2023 })),
            ("regionalSummary 143 2023-Q2", "143", quarter),
        ] {
            let vars = json!({ "r": region, "p": period });
            b.run(label, |i| gql(&fresh(REGIONAL, i), vars.clone()));
            // Texts of their own, which the scenario above did not send.
            let api = b.alone(
                |i| gql(&format!("{REGIONAL} # one client {i}"), vars.clone()),
                30,
            );
            let (raw, scan) = raw_summary(&url, region, &period);
            println!(
                "  {label}, one client: API p50 {api:.1} ms, the SQL it wraps {raw:.1} ms, \
                 API/raw {:.2}; the activity figures scanning activities instead: {scan:.1} ms",
                api / raw
            );
        }
    } else {
        println!("regionalSummary: not in the schema; skipped");
    }
    if schema.contains("lessons(") {
        b.run("lesson search", |i| {
            let words = ["procurement", "mentoring", "women", "partner", "translating"];
            gql(
                &fresh(
                    "query($s: String) { lessons(filter: { search: $s }, first: 20) { totalCount nodes { title } } }",
                    i,
                ),
                json!({ "s": words[i % words.len()] }),
            )
        });
    }
    if schema.contains("logActivity(") {
        let (eng, country) = engagement_for_writes(&b);
        b.run("logActivity", |i| {
            gql(
                "mutation($i: LogActivityInput!) { logActivity(input: $i) { id } }",
                json!({ "i": { "engagement": eng, "kind": "TRAINING",
                    "title": format!("[Synthetic] Bench write {i}"),
                    "startDate": "2024-03-01", "endDate": "2024-03-02", "country": country,
                    "participants": { "total": 10, "female": 4, "male": 6 } } }),
            )
        });
    }
    for path in [
        "/export/iati.xml?programme=SYN01",
        "/export/iati.xml",
        "/export/activities.csv",
        "/export/indicators.csv",
        "/export/budgets.csv",
    ] {
        export(&b, path);
    }
    // Memory under many clients: the heaviest reads at once, each run afresh, so that the
    // response cache fills to its limit as well.
    b.clients = a.memory_clients;
    b.duration = Duration::from_secs(a.duration.div_ceil(2));
    println!("memory pass: {} clients", a.memory_clients);
    header();
    b.run("nested list, never repeated", |i| {
        gql(&fresh(&nested, i), json!({}))
    });
    b.run("regionalSummary 001", |i| {
        gql(&fresh(REGIONAL, i), json!({ "r": "001", "p": Value::Null }))
    });
    drop(server);

    statements_per_request(&url, a.port + 1, &token, &nested);
}

fn nested_query(schema: &str) -> String {
    let indicators = if schema.contains("type Indicator ") {
        " results { indicators { title actuals { value } } }"
    } else {
        ""
    };
    // The earliest engagements first: they have activities and indicators with actuals, where
    // the most recent (the default order) are in the pipeline, with none yet.
    format!(
        "query {{ engagements(first: 50, orderBy: START_DATE_ASC) {{ nodes {{ title \
         activities {{ title country {{ name }} }} \
         recipientCountries {{ country {{ iso3 }} }}{indicators} }} }} }}"
    )
}

/// What one nested-list response carries, so a figure is never read off a list gone empty.
fn nested_shape(b: &Bench, nested: &str) {
    let mut conn = Conn::open(&b.addr);
    let (status, resp) = conn.request("POST", &b.path, &b.token, &gql(nested, json!({})));
    check("nested list", status, &resp).expect("the nested list");
    let v: Value = serde_json::from_slice(&resp).expect("JSON");
    let nodes = v["data"]["engagements"]["nodes"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let count = |f: &dyn Fn(&Value) -> usize| nodes.iter().map(f).sum::<usize>();
    let len = |v: &Value| v.as_array().map_or(0, Vec::len);
    let activities = count(&|e| len(&e["activities"]));
    let indicators = count(&|e| {
        e["results"]
            .as_array()
            .map_or(0, |rs| rs.iter().map(|r| len(&r["indicators"])).sum())
    });
    let actuals = count(&|e| {
        e["results"].as_array().map_or(0, |rs| {
            rs.iter()
                .flat_map(|r| r["indicators"].as_array().cloned().unwrap_or_default())
                .map(|i| len(&i["actuals"]))
                .sum()
        })
    });
    println!(
        "nested list: {} engagements, {activities} activities, {indicators} indicators, \
         {actuals} actuals, {} KB a response",
        nodes.len(),
        resp.len() / 1024
    );
    if activities < nodes.len() * 10 {
        println!(
            "  WARNING: fewer activities than the query asks for; the figures are not comparable"
        );
    }
}

/// The whole summary: totals, breakdowns by status, kind, donor, sub-region and country.
const REGIONAL: &str = "query($r: String!, $p: PeriodInput) { regionalSummary(region: $r, period: $p) { countriesReached \
    engagements { total byStatus { __typename } } activities { total byKind { __typename } } \
    participants { total female male unreported } events lessonsRecorded \
    funding { donor { name } currency amount } budgetTotal { currency amount } \
    bySubRegion { region { name } activities participants { total } } \
    byCountry { country { iso3 } activities participants { female male } } } }";

/// The query with a comment that makes its text differ from every other request's, so that
/// the server runs it instead of answering from its response cache.
fn fresh(query: &str, i: usize) -> String {
    format!("{query} # request {i}")
}

/// A GraphQL request body.
fn gql(query: &str, variables: Value) -> Vec<u8> {
    serde_json::to_vec(&json!({ "query": query, "variables": variables })).unwrap()
}

struct Bench {
    addr: String,
    path: String,
    /// Sent as a bearer token when not empty.
    token: String,
    clients: usize,
    duration: Duration,
    pid: u32,
}

impl Bench {
    /// Runs one scenario with every client for the duration; prints a line, returns p50 (ms).
    /// A failed response (not HTTP 200 with data and no errors) is counted and the first one
    /// printed; the scenario's figures then say FAILED and the run goes on to the next.
    fn run(&self, name: &str, body: impl Fn(usize) -> Vec<u8> + Sync) -> f64 {
        let stop = AtomicBool::new(false);
        let counter = AtomicU64::new(0);
        let failures = AtomicU64::new(0);
        let first_failure = Mutex::new(None::<String>);
        let latencies = Mutex::new(Vec::new());
        let peak_rss = AtomicU64::new(0);
        let cpu_before = (cpu_ticks(self.pid), postgres_cpu_ticks());
        let started = Instant::now();
        std::thread::scope(|s| {
            for _ in 0..self.clients {
                s.spawn(|| {
                    let mut conn = Conn::open(&self.addr);
                    let mut mine = Vec::new();
                    while !stop.load(Ordering::Relaxed) {
                        let i = counter.fetch_add(1, Ordering::Relaxed) as usize;
                        let t = Instant::now();
                        let (status, resp) =
                            conn.request("POST", &self.path, &self.token, &body(i));
                        mine.push(t.elapsed());
                        if let Err(e) = check(name, status, &resp) {
                            failures.fetch_add(1, Ordering::Relaxed);
                            first_failure.lock().unwrap().get_or_insert(e);
                            // A timed-out or refused request may have closed the connection.
                            conn = Conn::open(&self.addr);
                        }
                    }
                    latencies.lock().unwrap().extend(mine);
                });
            }
            while started.elapsed() < self.duration {
                std::thread::sleep(Duration::from_millis(200));
                peak_rss.fetch_max(proc_kb(self.pid, "VmRSS:"), Ordering::Relaxed);
            }
            stop.store(true, Ordering::Relaxed);
        });
        let elapsed = started.elapsed().as_secs_f64();
        let mut l = latencies.into_inner().unwrap();
        let per_request = |before: u64, after: u64| {
            // Clock ticks are 1/100 s on Linux.
            after.saturating_sub(before) as f64 * 10.0 / l.len().max(1) as f64
        };
        let server_cpu = per_request(cpu_before.0, cpu_ticks(self.pid));
        let postgres_cpu = per_request(cpu_before.1, postgres_cpu_ticks());
        l.sort();
        let pct = |p: f64| l[((l.len() as f64 * p) as usize).min(l.len() - 1)].as_secs_f64() * 1e3;
        let failed = failures.load(Ordering::Relaxed);
        println!(
            "{:<30} {:>8} {:>9.1} {:>8.1} {:>8.1} {:>8.1} {:>8.1} {:>8.1} {:>8.1} {:>8.1} {}",
            name,
            l.len(),
            l.len() as f64 / elapsed,
            pct(0.50),
            pct(0.95),
            pct(0.99),
            peak_rss.load(Ordering::Relaxed) as f64 / 1024.0,
            proc_kb(self.pid, "VmHWM:") as f64 / 1024.0,
            server_cpu,
            postgres_cpu,
            if failed == 0 {
                String::new()
            } else {
                format!("FAILED: {failed} responses")
            }
        );
        if let Some(e) = first_failure.into_inner().unwrap() {
            println!("  first failure: {}", &e[..e.len().min(400)]);
        }
        pct(0.50)
    }
}

impl Bench {
    /// p50 (ms) of `n` requests from one client, one at a time, after one to warm up.
    fn alone(&self, body: impl Fn(usize) -> Vec<u8>, n: usize) -> f64 {
        let mut conn = Conn::open(&self.addr);
        let mut times = Vec::new();
        for i in 0..=n {
            let t = Instant::now();
            let (status, resp) = conn.request("POST", &self.path, &self.token, &body(i));
            if i > 0 {
                times.push(t.elapsed().as_secs_f64() * 1e3);
            }
            if let Err(e) = check("one client", status, &resp) {
                println!("  one client: {e}");
                return f64::NAN;
            }
        }
        median(times)
    }
}

/// The columns of a scenario's line. CPU is milliseconds of processor time per request: the
/// server process's, and all PostgreSQL processes' on this machine (0 on SQLite, save for
/// anything else running on it).
fn header() {
    println!(
        "{:<30} {:>8} {:>9} {:>8} {:>8} {:>8} {:>8} {:>8} {:>8} {:>8}",
        "scenario",
        "requests",
        "req/s",
        "p50 ms",
        "p95 ms",
        "p99 ms",
        "RSS MB",
        "HWM MB",
        "CPU ms",
        "PG CPU"
    );
}

/// Drives another GraphQL server with its form of the nested list, as ours was driven, after
/// checking that both answer with as many titles (engagements, activities, indicators).
fn compare_peer(ours: &Bench, url: &str, pid: u32, name: &str, nested: &str, query: &str) {
    let rest = url
        .strip_prefix("http://")
        .expect("--peer http://HOST:PORT/PATH");
    let (addr, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let peer = Bench {
        addr: addr.to_string(),
        path: if path.is_empty() { "/" } else { path }.to_string(),
        token: String::new(),
        clients: ours.clients,
        duration: ours.duration,
        pid,
    };
    let titles = |b: &Bench, body: &[u8]| {
        let mut conn = Conn::open(&b.addr);
        let (status, resp) = conn.request("POST", &b.path, &b.token, body);
        check(name, status, &resp).expect("a nested list");
        let n = resp.windows(8).filter(|w| w == b"\"title\":").count();
        (n, resp.len())
    };
    let (mine, mine_bytes) = titles(ours, &gql(nested, json!({})));
    let (theirs, theirs_bytes) = titles(&peer, &gql(query, json!({})));
    println!(
        "  {name} at {url}: {theirs} titles in {theirs_bytes} bytes; ours {mine} in {mine_bytes}{}",
        if mine == theirs {
            ""
        } else {
            " (NOT the same rows)"
        }
    );
    peer.run(&format!("{name}: nested list"), |_| gql(query, json!({})));
}

/// Anything but HTTP 200 with data and no GraphQL errors is a failure.
fn check(name: &str, status: u16, body: &[u8]) -> Result<(), String> {
    let v: Value = serde_json::from_slice(body).map_err(|_| {
        format!(
            "{name}: HTTP {status}, not JSON: {}",
            String::from_utf8_lossy(body)
        )
    })?;
    if status != 200 || v.get("errors").is_some() || v.get("data").is_none() {
        return Err(format!("{name}: HTTP {status}: {v}"));
    }
    Ok(())
}

fn engagement_for_writes(b: &Bench) -> (String, String) {
    let mut conn = Conn::open(&b.addr);
    let (status, body) = conn.request(
        "POST",
        "/graphql",
        &b.token,
        &gql(
            "query { engagements(first: 1) { nodes { id recipientCountries { country { iso3 } } } } }",
            json!({}),
        ),
    );
    check("engagement for writes", status, &body).expect("an engagement to write to");
    let v: Value = serde_json::from_slice(&body).unwrap();
    let node = &v["data"]["engagements"]["nodes"][0];
    (
        node["id"].as_str().unwrap().to_string(),
        node["recipientCountries"][0]["country"]["iso3"]
            .as_str()
            .unwrap()
            .to_string(),
    )
}

/// One export download: time, size and the server's peak memory while it ran (the peak is
/// reset first through /proc/PID/clear_refs).
fn export(b: &Bench, path: &str) {
    let _ = std::fs::write(format!("/proc/{}/clear_refs", b.pid), "5");
    let before = proc_kb(b.pid, "VmHWM:");
    let t = Instant::now();
    let mut conn = Conn::open(&b.addr);
    let (status, body) = conn.request("GET", path, &b.token, b"");
    if status == 404 {
        println!("export {path}: no such route; skipped");
        return;
    }
    assert_eq!(
        status,
        200,
        "{path}: {}",
        String::from_utf8_lossy(&body[..body.len().min(300)])
    );
    let what = if path.contains(".xml") {
        assert!(
            body.trim_ascii_end().ends_with(b"</iati-activities>"),
            "{path}: the XML is not complete"
        );
        format!(
            "{} activities",
            body.windows(15).filter(|w| w == b"<iati-activity ").count()
        )
    } else {
        assert!(body.ends_with(b"\n"), "{path}: the CSV is not complete");
        format!(
            "{} rows",
            body.iter()
                .filter(|b| **b == b'\n')
                .count()
                .saturating_sub(1)
        )
    };
    println!(
        "export {path}: {:.1}s, {:.1} MB, {what}, server peak RSS {:.1} MB (before: {:.1} MB)",
        t.elapsed().as_secs_f64(),
        body.len() as f64 / 1e6,
        proc_kb(b.pid, "VmHWM:") as f64 / 1024.0,
        before as f64 / 1024.0
    );
}

/// The summary's own aggregate statements (the storage layer's, with the same filter the API
/// builds for an admin), run straight on a pool of the server's size, concurrently as the API
/// runs them: what the API wraps. Also the activity figures computed by scanning `activities`
/// alone, without the pre-computed totals, for comparison. p50 of 10 runs each, in ms.
fn raw_summary(url: &str, region: &str, period: &Value) -> (f64, f64) {
    use ta_tracker::storage::geography::Area;
    use ta_tracker::storage::reports::{self as r, Span, SummaryFilter};
    use ta_tracker::storage::scope::Scope;
    let span = period_days(period).map(|(from, to)| Span {
        from: from.to_string(),
        to: to.to_string(),
        after: (to + chrono::Duration::days(1)).to_string(),
    });
    let f = SummaryFilter {
        area: if region == "001" {
            Area::World
        } else {
            Area::Region(region.to_string())
        },
        span: span.clone(),
        programme_id: None,
        scope: Scope::All,
    };
    let area = if region == "001" {
        "1 = 1".to_string()
    } else {
        format!(
            "(c.region_code = '{region}' or c.sub_region_code = '{region}' \
             or c.intermediate_region_code = '{region}')"
        )
    };
    let dates = span.map_or(String::new(), |s| {
        format!(
            " and a.start_date <= '{}' and a.end_date >= '{}'",
            s.to, s.from
        )
    });
    let scan = format!(
        "select a.country_iso3, c.sub_region_code, a.kind, count(*), \
         cast(sum(a.participants_total) as bigint), cast(sum(a.participants_female) as bigint), \
         cast(sum(a.participants_male) as bigint) from activities a \
         join engagements e on e.id = a.engagement_id join countries c on c.iso3 = a.country_iso3 \
         where a.archived_at is null and e.archived_at is null and {area}{dates} \
         group by a.country_iso3, c.sub_region_code, a.kind"
    );
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let db = ta_tracker::storage::Db::connect(url, 8)
            .await
            .expect("connect");
        let pool = db.pool();
        let mut wrapped = Vec::new();
        let mut scanned = Vec::new();
        for _ in 0..10 {
            let t = Instant::now();
            tokio::try_join!(
                r::engaged_countries(pool, &f),
                r::engagements(pool, &f),
                r::activities(pool, &f),
                r::funding(pool, db.backend(), &f),
                r::events(pool, &f),
                r::lessons(pool, &f),
            )
            .map_err(|_| "a summary statement failed")
            .unwrap();
            wrapped.push(t.elapsed().as_secs_f64() * 1e3);
            let t = Instant::now();
            sqlx::query(&scan).fetch_all(pool).await.expect("scan");
            scanned.push(t.elapsed().as_secs_f64() * 1e3);
        }
        db.close().await;
        (median(wrapped), median(scanned))
    })
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

/// The first and last day of `{year}` or `{year, quarter}`; None for all time.
fn period_days(period: &Value) -> Option<(chrono::NaiveDate, chrono::NaiveDate)> {
    let year = period.get("year")?.as_i64()? as i32;
    let (first, last) = match period.get("quarter").and_then(Value::as_i64) {
        Some(q) => (3 * q as u32 - 2, 3 * q as u32),
        None => (1, 12),
    };
    let from = chrono::NaiveDate::from_ymd_opt(year, first, 1)?;
    let next = if last == 12 {
        chrono::NaiveDate::from_ymd_opt(year + 1, 1, 1)?
    } else {
        chrono::NaiveDate::from_ymd_opt(year, last + 1, 1)?
    };
    Some((from, next - chrono::Duration::days(1)))
}

/// A second, short server run with statement logging: SQL statements per nested-list request,
/// run afresh and answered from the response cache.
fn statements_per_request(url: &str, port: u16, token: &str, nested: &str) {
    let log = std::env::temp_dir().join(format!("ta_bench_sql_{}.log", std::process::id()));
    let addr = format!("127.0.0.1:{port}");
    let server = start_server(url, &addr, Some(&log));
    let mut conn = Conn::open(&addr);
    let (status, resp) = conn.request("POST", "/graphql", token, &gql(nested, json!({})));
    check("warm-up", status, &resp).expect("the nested list");
    let count = || {
        std::fs::read_to_string(&log)
            .unwrap_or_default()
            .lines()
            .filter(|l| l.contains("sqlx::query"))
            .count()
    };
    let n = 5;
    let mut per_request = |body: &dyn Fn(usize) -> Vec<u8>| {
        std::thread::sleep(Duration::from_millis(300));
        let before = count();
        for i in 0..n {
            let (status, resp) = conn.request("POST", "/graphql", token, &body(i));
            check("nested list", status, &resp).expect("the nested list");
        }
        std::thread::sleep(Duration::from_millis(300));
        (count() - before) as f64 / n as f64
    };
    let run = per_request(&|i| gql(&fresh(nested, i), json!({})));
    let repeated = per_request(&|_| gql(nested, json!({})));
    println!(
        "nested list: {run:.1} SQL statements per request run (2 of them read the database's \
         version for the response cache), {repeated:.1} per repeated request answered from the \
         cache (sqlx::query log lines over {n} requests each)"
    );
    drop(server);
    let _ = std::fs::remove_file(log);
}

/// The server process; killed when dropped, so a failed scenario (a panic) does not leave it
/// running.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start_server(url: &str, addr: &str, sql_log: Option<&std::path::Path>) -> Server {
    let mut cmd = Command::new(BIN);
    cmd.args([
        "serve",
        "--database-url",
        url,
        "--bind",
        addr,
        "--no-demo",
        "--open",
        "false",
        "--rate-limit-per-minute",
        "0",
        "--max-complexity",
        "1000000",
    ])
    .stdout(Stdio::null());
    match sql_log {
        Some(path) => {
            cmd.env("RUST_LOG", "warn,sqlx::query=debug")
                .stderr(std::fs::File::create(path).unwrap());
        }
        None => {
            cmd.env("RUST_LOG", "warn").stderr(Stdio::inherit());
        }
    }
    let mut child = cmd.spawn().expect("start the server");
    for _ in 0..300 {
        if let Ok(mut c) = TcpStream::connect(addr) {
            let _ = c.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
            let mut s = String::new();
            let _ = c.read_to_string(&mut s);
            if s.starts_with("HTTP/1.1 200") {
                return Server(child);
            }
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("the server did not become healthy at {addr}");
}

fn run_ok(args: &[&str]) -> String {
    let out = Command::new(BIN)
        .args(args)
        .env("RUST_LOG", "warn,sqlx=error")
        .output()
        .expect("run ta-tracker");
    assert!(
        out.status.success(),
        "ta-tracker {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// (Re)creates the database ta_bench and returns its URL.
fn fresh_postgres() -> String {
    let admin = std::env::var("TA_TRACKER_BENCH_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let db = ta_tracker::storage::Db::connect(&admin, 1)
            .await
            .expect("connect");
        for s in [
            "drop database if exists ta_bench with (force)",
            "create database ta_bench",
        ] {
            sqlx::query(s).execute(db.pool()).await.expect(s);
        }
        db.close().await;
    });
    let (base, _) = admin.rsplit_once('/').expect("a URL ending in /DATABASE");
    format!("{base}/ta_bench")
}

/// Processor time (user and system, in clock ticks) a process has used so far; 0 for none.
fn cpu_ticks(pid: u32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // The fields after the command name, which is in parentheses and may hold spaces.
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map_or(Vec::new(), |(_, rest)| rest.split_whitespace().collect());
    let field = |n: usize| {
        fields
            .get(n)
            .and_then(|v| v.parse::<u64>().ok())
            .unwrap_or(0)
    };
    field(11) + field(12)
}

/// Processor time used so far by every process named `postgres` on this machine.
fn postgres_cpu_ticks() -> u64 {
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return 0;
    };
    dir.filter_map(Result::ok)
        .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            std::fs::read_to_string(format!("/proc/{pid}/comm"))
                .is_ok_and(|c| c.trim() == "postgres")
        })
        .map(cpu_ticks)
        .sum()
}

/// A kilobyte figure from /proc/PID/status (VmRSS:, VmHWM:).
fn proc_kb(pid: u32, key: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with(key))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

/// A minimal HTTP/1.1 keep-alive client: Content-Length or chunked bodies, nothing more.
struct Conn {
    reader: BufReader<TcpStream>,
    addr: String,
}

impl Conn {
    fn open(addr: &str) -> Conn {
        let stream = TcpStream::connect(addr).expect("connect to the server");
        stream.set_nodelay(true).unwrap();
        Conn {
            reader: BufReader::new(stream),
            addr: addr.to_string(),
        }
    }

    fn request(&mut self, method: &str, path: &str, token: &str, body: &[u8]) -> (u16, Vec<u8>) {
        let auth = if token.is_empty() {
            String::new()
        } else {
            format!("Authorization: Bearer {token}\r\n")
        };
        let head = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\n{auth}\
             Content-Type: application/json\r\nContent-Length: {}\r\n\r\n",
            self.addr,
            body.len()
        );
        let s = self.reader.get_mut();
        s.write_all(head.as_bytes()).unwrap();
        s.write_all(body).unwrap();
        let mut line = String::new();
        self.reader.read_line(&mut line).expect("status line");
        let status: u16 = line
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        let (mut length, mut chunked) = (None, false);
        loop {
            line.clear();
            self.reader.read_line(&mut line).expect("header");
            let l = line.trim_end().to_ascii_lowercase();
            if l.is_empty() {
                break;
            }
            if let Some(v) = l.strip_prefix("content-length:") {
                length = v.trim().parse::<usize>().ok();
            }
            if l.starts_with("transfer-encoding:") && l.contains("chunked") {
                chunked = true;
            }
        }
        let mut out = Vec::new();
        if chunked {
            loop {
                line.clear();
                self.reader.read_line(&mut line).expect("chunk size");
                let n = usize::from_str_radix(line.trim(), 16).expect("chunk size");
                let mut chunk = vec![0; n + 2];
                self.reader.read_exact(&mut chunk).expect("chunk");
                if n == 0 {
                    break;
                }
                out.extend_from_slice(&chunk[..n]);
            }
        } else {
            out.resize(length.unwrap_or(0), 0);
            self.reader.read_exact(&mut out).expect("body");
        }
        (status, out)
    }
}
