//! A small statement builder: SQL text plus its bound values, numbered `$1, $2, ...` as both
//! engines accept. Lets one filter serve a page query and its count query alike.

use sqlx::any::{AnyArguments, AnyRow};
use sqlx::query::{Query, QueryAs};
use sqlx::{Any, Database, Encode, FromRow, Type};

use super::Backend;

/// A value bound to a placeholder.
#[derive(Clone, Debug, PartialEq)]
pub enum Bind {
    Text(String),
    Int(i64),
    Float(f64),
    Bool(bool),
    NullText,
    NullInt,
    NullFloat,
}

impl From<&str> for Bind {
    fn from(v: &str) -> Self {
        Bind::Text(v.to_string())
    }
}
impl From<String> for Bind {
    fn from(v: String) -> Self {
        Bind::Text(v)
    }
}
impl From<&String> for Bind {
    fn from(v: &String) -> Self {
        Bind::Text(v.clone())
    }
}
impl From<i64> for Bind {
    fn from(v: i64) -> Self {
        Bind::Int(v)
    }
}
impl From<f64> for Bind {
    fn from(v: f64) -> Self {
        Bind::Float(v)
    }
}
impl From<bool> for Bind {
    fn from(v: bool) -> Self {
        Bind::Bool(v)
    }
}
impl From<Option<String>> for Bind {
    fn from(v: Option<String>) -> Self {
        v.map_or(Bind::NullText, Bind::Text)
    }
}
impl From<Option<&str>> for Bind {
    fn from(v: Option<&str>) -> Self {
        v.map_or(Bind::NullText, |s| Bind::Text(s.to_string()))
    }
}
impl From<Option<i64>> for Bind {
    fn from(v: Option<i64>) -> Self {
        v.map_or(Bind::NullInt, Bind::Int)
    }
}
impl From<Option<f64>> for Bind {
    fn from(v: Option<f64>) -> Self {
        v.map_or(Bind::NullFloat, Bind::Float)
    }
}

/// SQL text under construction with its binds.
#[derive(Clone, Debug, Default)]
pub struct Sql {
    text: String,
    binds: Vec<Bind>,
}

impl Sql {
    pub fn new(text: &str) -> Sql {
        Sql {
            text: text.to_string(),
            binds: Vec::new(),
        }
    }

    /// Appends raw SQL text (never user input).
    pub fn push(&mut self, text: &str) -> &mut Self {
        self.text.push_str(text);
        self
    }

    /// Appends a placeholder for `value`. A missing float is written as a literal `null`
    /// instead: sqlx's `Any` driver declares a null f64 parameter as float4 on PostgreSQL, and a
    /// pooled connection that prepared the statement that way then refuses real f64 values in it
    /// ("incorrect binary data format in bind parameter").
    pub fn bind(&mut self, value: impl Into<Bind>) -> &mut Self {
        let value = value.into();
        if value == Bind::NullFloat {
            return self.push("null");
        }
        self.binds.push(value);
        self.text.push('$');
        self.text.push_str(&self.binds.len().to_string());
        self
    }

    /// Appends `(v1, v2, ...)` for an `in` list; `(null)` for an empty list, which matches nothing.
    /// The list is padded to a bucket length (`padded_len`) by repeating its last value, which
    /// matches nothing more: a statement then has a handful of texts, not one per list length.
    /// Each connection caches a prepared statement per text, so under load, where batches of
    /// every length from 1 to a few hundred arrive, unpadded lists filled the caches with near
    /// copies (tens of MB on SQLite) and prepared statements that were never reused.
    pub fn bind_list<T: Into<Bind> + Clone>(&mut self, values: &[T]) -> &mut Self {
        let Some(last) = values.last() else {
            return self.push("(null)");
        };
        self.push("(");
        let padding = std::iter::repeat_n(last, padded_len(values.len()) - values.len());
        for (i, v) in values.iter().chain(padding).enumerate() {
            if i > 0 {
                self.push(", ");
            }
            self.bind(v.clone());
        }
        self.push(")")
    }

    /// `(lower(c1) like $n escape '\' or lower(c2) like ...)`: any of the columns contains
    /// `text`, case aside, with LIKE's wildcards in it matching themselves.
    pub fn contains_text(&mut self, columns: &[&str], text: &str) -> &mut Self {
        let pattern = like_pattern(&text.to_lowercase());
        self.push("(");
        for (i, column) in columns.iter().enumerate() {
            if i > 0 {
                self.push(" or ");
            }
            self.push("lower(")
                .push(column)
                .push(") like ")
                .bind(pattern.as_str())
                .push(" escape '\\'");
        }
        self.push(")")
    }

    /// Appends another fragment, renumbering its placeholders after ours.
    pub fn append(&mut self, other: &Sql) -> &mut Self {
        let offset = self.binds.len();
        self.text.push_str(&renumber(&other.text, offset));
        self.binds.extend(other.binds.iter().cloned());
        self
    }

    /// The first rows of each of several parents in one statement. `each(parent)` selects one
    /// parent's rows with its own `order by ... limit`, `parent` being the fragment that stands
    /// for the parent's id, so every parent's rows are read through its index, whatever the
    /// number behind it.
    ///
    /// The rows come in no promised order: the caller sorts them (a few rows a parent, already
    /// in runs, which a sort in memory takes in one pass). A sort in the statement cost
    /// PostgreSQL a fifth of the statement's time under a nested list (1,000 wide rows by text
    /// keys: 6.5 against 5.0 ms).
    ///
    /// PostgreSQL joins `each` laterally to the ids, passed as one text value, so the statement
    /// is the same whatever the number of parents: it is prepared once per connection and
    /// planned cheaply (the `union all` of 50 branches took longer to plan than to run). SQLite,
    /// without `lateral`, gets one `union all` branch per parent, padded like an `in` list to a
    /// bucket length with branches for a null id, which match nothing.
    pub fn first_per_parent(backend: Backend, ids: &[i64], each: impl Fn(Sql) -> Sql) -> Sql {
        let mut sql = Sql::new("");
        match backend {
            Backend::Postgres => {
                let list = ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
                sql.push("select x.* from unnest(cast(string_to_array(")
                    .bind(list)
                    .push(", ',') as bigint[])) as parent(parent_id) cross join lateral (")
                    .append(&each(Sql::new("parent.parent_id")))
                    .push(") x");
            }
            Backend::Sqlite => {
                let padding = padded_len(ids.len()) - ids.len();
                let ids = ids.iter().map(|id| Bind::Int(*id));
                for (n, id) in ids
                    .chain(std::iter::repeat_n(Bind::NullInt, padding))
                    .enumerate()
                {
                    if n > 0 {
                        sql.push(" union all ");
                    }
                    let mut parent = Sql::new("");
                    parent.bind(id);
                    sql.push("select * from (")
                        .append(&each(parent))
                        .push(&format!(") p{n}"));
                }
            }
        }
        sql
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn binds(&self) -> &[Bind] {
        &self.binds
    }

    pub fn query(&self) -> Query<'_, Any, AnyArguments<'_>> {
        let mut q = sqlx::query(&self.text);
        for b in &self.binds {
            q = match b {
                Bind::Text(v) => q.bind(v.as_str()),
                Bind::Int(v) => q.bind(*v),
                Bind::Float(v) => q.bind(*v),
                Bind::Bool(v) => q.bind(*v),
                Bind::NullText => q.bind(None::<String>),
                Bind::NullInt => q.bind(None::<i64>),
                Bind::NullFloat => q.bind(None::<f64>),
            };
        }
        q
    }

    pub fn query_as<T>(&self) -> QueryAs<'_, Any, T, AnyArguments<'_>>
    where
        T: for<'r> FromRow<'r, AnyRow>,
    {
        self.query_as_on::<Any, T>()
    }

    /// The statement for a driver of one engine (the native PostgreSQL reads of `Db::read`).
    pub fn query_as_on<'q, DB, T>(&'q self) -> QueryAs<'q, DB, T, <DB as Database>::Arguments<'q>>
    where
        DB: Database,
        T: for<'r> FromRow<'r, DB::Row>,
        &'q str: Encode<'q, DB> + Type<DB>,
        i64: Encode<'q, DB> + Type<DB>,
        f64: Encode<'q, DB> + Type<DB>,
        bool: Encode<'q, DB> + Type<DB>,
        Option<String>: Encode<'q, DB> + Type<DB>,
        Option<i64>: Encode<'q, DB> + Type<DB>,
        Option<f64>: Encode<'q, DB> + Type<DB>,
    {
        let mut q = sqlx::query_as::<DB, T>(&self.text);
        for b in &self.binds {
            q = match b {
                Bind::Text(v) => q.bind(v.as_str()),
                Bind::Int(v) => q.bind(*v),
                Bind::Float(v) => q.bind(*v),
                Bind::Bool(v) => q.bind(*v),
                Bind::NullText => q.bind(None::<String>),
                Bind::NullInt => q.bind(None::<i64>),
                Bind::NullFloat => q.bind(None::<f64>),
            };
        }
        q
    }
}

/// The length a list of `n` bound values is padded to: the next power of two up to 1,024, so a
/// statement built over lists has at most eleven texts below that; longer lists (exports) keep
/// their length, as doubling them could pass an engine's limit on parameters.
fn padded_len(n: usize) -> usize {
    if n <= 1024 { n.next_power_of_two() } else { n }
}

/// Shifts `$n` placeholders in `text` by `offset`.
fn renumber(text: &str, offset: usize) -> String {
    if offset == 0 {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len() + 8);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '$' && chars.peek().is_some_and(|d| d.is_ascii_digit()) {
            let mut n = String::new();
            while let Some(d) = chars.peek().filter(|d| d.is_ascii_digit()) {
                n.push(*d);
                chars.next();
            }
            let n: usize = n.parse().unwrap_or(0);
            out.push('$');
            out.push_str(&(n + offset).to_string());
        } else {
            out.push(c);
        }
    }
    out
}

/// `%text%` with LIKE's wildcards escaped, so a user's `%` or `_` matches itself.
pub fn like_pattern(text: &str) -> String {
    let escaped = text
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_numbered_in_order_and_renumbered_on_append() {
        let mut a = Sql::new("select 1 where a = ");
        a.bind("x");
        let mut b = Sql::new(" and b = ");
        b.bind(2_i64).push(" and c in ").bind_list(&[3_i64, 4]);
        a.append(&b);
        assert_eq!(
            a.text(),
            "select 1 where a = $1 and b = $2 and c in ($3, $4)"
        );
        assert_eq!(a.binds().len(), 4);
    }

    /// One parent's rows, as the activity loader writes them.
    fn branch(parent: Sql) -> Sql {
        let mut one = Sql::new("select id from activities a where a.engagement_id = ");
        one.append(&parent)
            .push(" order by a.id limit ")
            .bind(20_i64);
        one
    }

    #[test]
    fn first_rows_per_parent_are_one_statement_text_on_postgres_whatever_the_parents() {
        let two = Sql::first_per_parent(Backend::Postgres, &[7, 9], branch);
        let fifty: Vec<i64> = (1..=50).collect();
        let many = Sql::first_per_parent(Backend::Postgres, &fifty, branch);
        assert_eq!(two.text(), many.text(), "prepared once, planned once");
        assert_eq!(two.binds(), &[Bind::Text("7,9".into()), Bind::Int(20)]);
        assert!(two.text().contains("cross join lateral"), "{}", two.text());
    }

    #[test]
    fn first_rows_per_parent_are_a_branch_each_on_sqlite() {
        let sql = Sql::first_per_parent(Backend::Sqlite, &[7, 9], branch);
        assert_eq!(
            sql.text(),
            "select * from (select id from activities a where a.engagement_id = $1 \
             order by a.id limit $2) p0 union all select * from (select id from activities a \
             where a.engagement_id = $3 order by a.id limit $4) p1"
        );
        let binds = [Bind::Int(7), Bind::Int(20), Bind::Int(9), Bind::Int(20)];
        assert_eq!(sql.binds(), &binds);
    }

    #[test]
    fn lists_of_nearby_lengths_share_one_statement_text() {
        let text = |n: i64| {
            let mut sql = Sql::new("select id from t where id in ");
            sql.bind_list(&(1..=n).collect::<Vec<_>>());
            sql
        };
        let three = text(3);
        assert_eq!(
            three.text(),
            "select id from t where id in ($1, $2, $3, $4)"
        );
        let binds = [Bind::Int(1), Bind::Int(2), Bind::Int(3), Bind::Int(3)];
        assert_eq!(three.binds(), &binds, "padded with the last value");
        assert_eq!(text(33).text(), text(64).text());
        assert_ne!(text(64).text(), text(65).text());
        assert_eq!(text(1).binds().len(), 1);
        assert_eq!(text(1500).binds().len(), 1500, "long lists are not padded");
        let texts: std::collections::HashSet<_> =
            (1..=400).map(|n| text(n).text().to_string()).collect();
        assert_eq!(texts.len(), 10, "1, 2, 4, ... 512");
    }

    #[test]
    fn sqlite_branches_are_padded_with_branches_for_a_null_parent() {
        let three = Sql::first_per_parent(Backend::Sqlite, &[7, 8, 9], branch);
        let four = Sql::first_per_parent(Backend::Sqlite, &[7, 8, 9, 10], branch);
        assert_eq!(three.text(), four.text());
        assert_eq!(three.binds()[6], Bind::NullInt);
        assert_eq!(three.binds().len(), 8);
    }

    /// The padding changes the text, never the rows: run on SQLite, with a row whose parent is
    /// null (which a null padding branch must not pick up).
    #[tokio::test]
    async fn padded_lists_and_branches_return_exactly_the_rows_asked_for() {
        sqlx::any::install_default_drivers();
        let pool = sqlx::any::AnyPoolOptions::new()
            .max_connections(1)
            .connect("sqlite::memory:")
            .await
            .unwrap();
        sqlx::query("create table activities (id integer primary key, engagement_id integer)")
            .execute(&pool)
            .await
            .unwrap();
        sqlx::query("insert into activities values (1, 7), (2, 7), (3, 8), (4, 9), (5, null)")
            .execute(&pool)
            .await
            .unwrap();
        let ids = |sql: Sql| {
            let pool = pool.clone();
            async move {
                let rows: Vec<(i64,)> = sql.query_as().fetch_all(&pool).await.unwrap();
                rows.into_iter().map(|(id,)| id).collect::<Vec<_>>()
            }
        };
        let mut listed = Sql::new("select id from activities where engagement_id in ");
        listed.bind_list(&[7_i64, 9, 10]).push(" order by id");
        assert_eq!(listed.binds().len(), 4);
        assert_eq!(ids(listed).await, [1, 2, 4]);
        let firsts = Sql::first_per_parent(Backend::Sqlite, &[7, 8, 9], branch);
        assert_eq!(firsts.binds().len(), 8);
        let mut firsts = ids(firsts).await;
        firsts.sort();
        assert_eq!(firsts, [1, 2, 3, 4]);
    }

    #[test]
    fn a_missing_float_is_a_literal_null_not_a_parameter() {
        let mut a = Sql::new("update t set v = ");
        a.bind(None::<f64>).push(" where id = ").bind(1_i64);
        assert_eq!(a.text(), "update t set v = null where id = $1");
        assert_eq!(a.binds().len(), 1);
    }

    #[test]
    fn an_empty_in_list_matches_nothing() {
        let mut a = Sql::new("x in ");
        a.bind_list::<i64>(&[]);
        assert_eq!(a.text(), "x in (null)");
    }
}
