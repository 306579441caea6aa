//! One `iati-activity` element per engagement, in the element order the IATI 2.03 schema fixes.

use super::ReportingOrg;
use super::data::{Details, IndicatorRow, ValueRow};
use crate::export::xml::XmlWriter;
use crate::storage::documents::DocumentRow;
use crate::storage::engagements::{Children, EngagementRow};

/// IATI IndicatorMeasure 5: qualitative, whose values are narrative, not numbers.
const QUALITATIVE: &str = "5";

/// The IATI BudgetType of every budget line: 1, original; budgets.csv writes the same.
pub const BUDGET_TYPE: &str = "1";
/// The IATI BudgetStatus of every budget line: 1, indicative, what a planning record holds.
pub const BUDGET_STATUS: &str = "1";

/// A number as IATI decimals (`xsd:decimal`) expect: no exponent, no trailing zeros, and every
/// digit the value has (the shortest text that reads back as the same number), so the file says
/// what the API accepted, however small: rounding to a fixed number of places wrote 1e-7 as 0.
pub fn number(v: f64) -> String {
    if v == 0.0 {
        // Display writes -0.0 as "-0".
        return "0".to_string();
    }
    // Display never uses an exponent.
    v.to_string()
}

/// The activity's identifier: its own, else one made from the reporting organisation's.
pub fn identifier(e: &EngagementRow, org: &ReportingOrg) -> String {
    match e.iati_identifier.as_deref().map(str::trim) {
        Some(id) if !id.is_empty() => id.to_string(),
        _ => org.fallback_identifier(e.id),
    }
}

/// Writes the `iati-activity` of `e` at depth 1 (under the root).
pub fn activity(e: &EngagementRow, d: &Details, org: &ReportingOrg) -> String {
    let empty = Children::default();
    let c = d.children.get(&e.id).unwrap_or(&empty);
    let currency = c
        .budgets
        .first()
        .map(|b| b.currency.as_str())
        .unwrap_or("USD");
    // Consumers fetch an activity again when this moves, so a new actual or a changed result
    // must move it as much as an edit to the engagement itself.
    let updated = match d.changed_at.get(&e.id) {
        Some(at) if *at > e.updated_at => at,
        _ => &e.updated_at,
    };
    let mut w = XmlWriter::at_depth(1);
    w.open(
        "iati-activity",
        &[
            ("last-updated-datetime", updated),
            ("xml:lang", "en"),
            ("default-currency", currency),
        ],
    );
    w.text("iati-identifier", &[], &identifier(e, org));
    w.narrative(
        "reporting-org",
        &[("ref", &org.reference), ("type", &org.org_type)],
        &org.name,
    );
    w.narrative("title", &[], &e.title);
    let has_description = !e.description.trim().is_empty();
    let has_objectives = !e.objectives.trim().is_empty();
    if has_description {
        w.narrative("description", &[("type", "1")], &e.description);
    } else if !has_objectives {
        // IATI requires a description, and the API lets an engagement have neither a
        // description nor objectives: it is then published with its title as its description.
        w.narrative("description", &[("type", "1")], &e.title);
    }
    if has_objectives {
        w.narrative("description", &[("type", "2")], &e.objectives);
    }
    participants(&mut w, c, d, org);
    w.empty("activity-status", &[("code", &e.status_code)]);
    dates(&mut w, e);
    places(&mut w, e, c, d);
    for s in &c.sectors {
        let pct = number(s.percentage);
        w.empty(
            "sector",
            &[
                ("vocabulary", "1"),
                ("code", &s.sector_code),
                ("percentage", &pct),
            ],
        );
    }
    for t in &c.sdg_targets {
        // TagVocabulary 3: UN Sustainable Development Goal targets such as 16.3.
        w.empty("tag", &[("vocabulary", "3"), ("code", t)]);
    }
    for m in &c.policy_markers {
        w.empty(
            "policy-marker",
            &[
                ("vocabulary", "1"),
                ("code", &m.marker_code),
                ("significance", &m.significance_code),
            ],
        );
    }
    for b in &c.budgets {
        w.open(
            "budget",
            &[("type", BUDGET_TYPE), ("status", BUDGET_STATUS)],
        );
        w.empty("period-start", &[("iso-date", &b.period_start)]);
        w.empty("period-end", &[("iso-date", &b.period_end)]);
        w.text(
            "value",
            &[("currency", &b.currency), ("value-date", &b.value_date)],
            &number(b.amount),
        );
        w.close("budget");
    }
    // DocumentCategory codes in A are about one activity; those in B (annual reports,
    // strategies, a handbook filed as thematic strategy) are about the organisation and belong
    // in an organisation file, not here. They stay linked to the engagement in the tracker.
    let activity_level = |doc: &&DocumentRow| doc.category_code.starts_with('A');
    for doc in d
        .documents
        .get(&e.id)
        .into_iter()
        .flatten()
        .filter(activity_level)
    {
        let format = super::file_format::of_url(&doc.url);
        w.open("document-link", &[("url", &doc.url), ("format", format)]);
        w.narrative("title", &[], &doc.title);
        w.empty("category", &[("code", &doc.category_code)]);
        w.empty("language", &[("code", &doc.language)]);
        if let Some(date) = &doc.document_date {
            w.empty("document-date", &[("iso-date", date)]);
        }
        w.close("document-link");
    }
    results(&mut w, e, d);
    w.close("iati-activity");
    w.finish()
}

fn participants(w: &mut XmlWriter, c: &Children, d: &Details, org: &ReportingOrg) {
    if c.participants.is_empty() {
        // The schema needs at least one; the reporting organisation is accountable for its own.
        w.narrative(
            "participating-org",
            &[
                ("ref", &org.reference),
                ("role", "2"),
                ("type", &org.org_type),
            ],
            &org.name,
        );
    }
    for p in &c.participants {
        let Some(o) = d.organisations.get(&p.organisation_id) else {
            continue;
        };
        let mut attrs = vec![
            ("role", p.role_code.as_str()),
            ("type", o.org_type.as_str()),
        ];
        if let Some(r) = o.iati_ref.as_deref().filter(|r| !r.is_empty()) {
            attrs.insert(0, ("ref", r));
        }
        w.narrative("participating-org", &attrs, &o.name);
    }
}

fn dates(w: &mut XmlWriter, e: &EngagementRow) {
    let dates = [
        ("1", &e.planned_start),
        ("2", &e.actual_start),
        ("3", &e.planned_end),
        ("4", &e.actual_end),
    ];
    if dates[..2].iter().all(|(_, d)| d.is_none()) {
        // The schema needs a date; the derived start is the best we know.
        w.empty(
            "activity-date",
            &[("type", "1"), ("iso-date", &e.active_from)],
        );
    }
    for (kind, date) in dates {
        if let Some(date) = date {
            w.empty("activity-date", &[("type", kind), ("iso-date", date)]);
        }
    }
}

/// Countries with their percentages; the region only when no country is named, since IATI
/// wants country and region percentages together to make 100.
fn places(w: &mut XmlWriter, e: &EngagementRow, c: &Children, d: &Details) {
    for s in &c.countries {
        let Some(iso2) = d.iso2.get(&s.country_iso3) else {
            continue;
        };
        let pct = number(s.percentage);
        w.empty("recipient-country", &[("code", iso2), ("percentage", &pct)]);
    }
    if c.countries.is_empty()
        && let Some(region) = &e.recipient_region_code
    {
        // RegionVocabulary 2: UN M49.
        w.empty(
            "recipient-region",
            &[("code", region), ("vocabulary", "2"), ("percentage", "100")],
        );
    }
}

fn results(w: &mut XmlWriter, e: &EngagementRow, d: &Details) {
    for r in d.results.get(&e.id).into_iter().flatten() {
        // The schema needs an indicator in every result; one without is not reported yet.
        let Some(indicators) = d.indicators.get(&r.id).filter(|i| !i.is_empty()) else {
            continue;
        };
        let summable = indicators.iter().all(summable);
        w.open(
            "result",
            &[
                ("type", &r.result_type),
                ("aggregation-status", flag(summable)),
            ],
        );
        w.narrative("title", &[], &r.title);
        if !r.description.trim().is_empty() {
            w.narrative("description", &[], &r.description);
        }
        for i in indicators {
            indicator(w, i, d.values.get(&i.id).map(Vec::as_slice).unwrap_or(&[]));
        }
        w.close("result");
    }
}

/// Whether an indicator's figures may be added up across activities.
fn summable(i: &IndicatorRow) -> bool {
    i.measure == "1" && i.aggregation == "sum"
}

fn flag(b: bool) -> &'static str {
    if b { "1" } else { "0" }
}

fn indicator(w: &mut XmlWriter, i: &IndicatorRow, values: &[ValueRow]) {
    let qualitative = i.measure == QUALITATIVE;
    w.open(
        "indicator",
        &[
            ("measure", &i.measure),
            ("ascending", flag(i.ascending.0)),
            ("aggregation-status", flag(summable(i))),
        ],
    );
    w.narrative("title", &[], &i.title);
    if !i.description.trim().is_empty() {
        w.narrative("description", &[], &i.description);
    }
    if let Some(sdg) = i.sdg_indicator.as_deref().filter(|s| !s.trim().is_empty()) {
        // IndicatorVocabulary 9: UN Sustainable Development Goal indicators such as 16.3.2.
        w.empty("reference", &[("vocabulary", "9"), ("code", sdg)]);
    }
    let year = i.baseline_year.map(|y| y.to_string()).or_else(|| {
        i.baseline_date
            .as_deref()
            .and_then(|d| d.get(..4))
            .map(str::to_string)
    });
    if let Some(year) = year {
        let mut attrs = vec![("year", year.clone())];
        if let Some(date) = &i.baseline_date {
            attrs.push(("iso-date", date.clone()));
        }
        if let Some(v) = i.baseline_value.filter(|_| !qualitative) {
            attrs.push(("value", number(v)));
        }
        let attrs: Vec<(&str, &str)> = attrs.iter().map(|(k, v)| (*k, v.as_str())).collect();
        if i.baseline_comment.trim().is_empty() {
            w.empty("baseline", &attrs);
        } else {
            w.open("baseline", &attrs);
            w.narrative("comment", &[], &i.baseline_comment);
            w.close("baseline");
        }
    }
    let mut rest = values;
    while let Some(first) = rest.first() {
        let n = rest
            .iter()
            .take_while(|v| {
                v.period_start == first.period_start && v.period_end == first.period_end
            })
            .count();
        w.open("period", &[]);
        w.empty("period-start", &[("iso-date", &first.period_start)]);
        w.empty("period-end", &[("iso-date", &first.period_end)]);
        for v in &rest[..n] {
            observation(w, v, qualitative);
        }
        w.close("period");
        rest = &rest[n..];
    }
    w.close("indicator");
}

/// A `target` or `actual`: its value, disaggregation and comment.
///
/// A value recorded for one country is a disaggregation of the engagement's figure, so it says
/// so with a country dimension (ISO 3166-1 alpha-3); a reader who sums the values of a period
/// without looking at dimensions would otherwise count it twice. Its other dimension, if any,
/// follows. (IATI result locations would refer to activity locations, which this record lacks.)
fn observation(w: &mut XmlWriter, v: &ValueRow, qualitative: bool) {
    let value = v.value.filter(|_| !qualitative).map(number);
    let attrs: Vec<(&str, &str)> = value.iter().map(|n| ("value", n.as_str())).collect();
    let element = if v.kind == "target" {
        "target"
    } else {
        "actual"
    };
    w.open(element, &attrs);
    if let Some(c) = &v.country_iso3 {
        w.empty("dimension", &[("name", "country"), ("value", c)]);
    }
    if !v.dimension_name.is_empty() {
        w.empty(
            "dimension",
            &[("name", &v.dimension_name), ("value", &v.dimension_value)],
        );
    }
    if !v.comment.trim().is_empty() {
        w.narrative("comment", &[], &v.comment);
    }
    w.close(element);
}

#[cfg(test)]
mod tests {
    use super::number;

    #[test]
    fn numbers_are_plain_decimals() {
        assert_eq!(number(100.0), "100");
        assert_eq!(number(33.5), "33.5");
        assert_eq!(number(0.125), "0.125");
        assert_eq!(number(1_250_000.0), "1250000");
        assert_eq!(number(-0.0), "0");
    }

    #[test]
    fn any_accepted_value_is_written_as_it_was_given() {
        assert_eq!(number(1e-7), "0.0000001");
        assert_eq!(number(0.0000004), "0.0000004");
        assert_eq!(number(-2.5e-9), "-0.0000000025");
        assert_eq!(number(0.1234567), "0.1234567");
        assert_eq!(number(1e12), "1000000000000");
        assert_eq!(number(-999_999_999_999.99), "-999999999999.99");
        assert_eq!(number(123_456_789_012.345), "123456789012.345");
        // The smallest positive double and the largest accepted magnitude read back exactly.
        for v in [f64::from_bits(1), 1e-300, 0.1 + 0.2, 1e12 - 0.001, -1e12] {
            let s = number(v);
            assert!(!s.contains(['e', 'E']), "{s}");
            assert_eq!(s.parse::<f64>().unwrap(), v, "{s}");
        }
    }
}
