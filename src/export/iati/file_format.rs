//! The media type a `document-link` declares in its `@format`.
//!
//! IATI 2.03 wants "an IANA code for the MIME type of the document being referenced", from the
//! FileFormat codelist (https://iatistandard.org/en/iati-standard/203/activity-standard/
//! iati-activities/iati-activity/document-link/). The tracker stores no media type, so it is read
//! from the extension of the URL's path: a Word report is not a web page, and a PDF served with a
//! query string (`review.pdf?download=1`) is still a PDF.

/// Extensions of the formats programme documents come in, with their IANA media types.
const TYPES: &[(&str, &str)] = &[
    ("pdf", "application/pdf"),
    ("doc", "application/msword"),
    (
        "docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    ("odt", "application/vnd.oasis.opendocument.text"),
    ("rtf", "application/rtf"),
    ("txt", "text/plain"),
    ("csv", "text/csv"),
    ("xls", "application/vnd.ms-excel"),
    (
        "xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
    ("ods", "application/vnd.oasis.opendocument.spreadsheet"),
    ("ppt", "application/vnd.ms-powerpoint"),
    (
        "pptx",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ),
    ("odp", "application/vnd.oasis.opendocument.presentation"),
    ("epub", "application/epub+zip"),
    ("zip", "application/zip"),
    ("xml", "application/xml"),
    ("json", "application/json"),
    ("jpg", "image/jpeg"),
    ("jpeg", "image/jpeg"),
    ("png", "image/png"),
    ("gif", "image/gif"),
    ("mp4", "video/mp4"),
];

/// What a link with no known file extension leads to: a web page.
const WEB_PAGE: &str = "text/html";

/// The IANA media type of the document at `url`, by the extension of its path (the query and
/// fragment left aside); a web page when the path names no known file type.
pub fn of_url(url: &str) -> &'static str {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let rest = &rest[..rest.find(['?', '#']).unwrap_or(rest.len())];
    // The path begins after the host; a URL with no path is the site's page.
    let Some((_, path)) = rest.split_once('/') else {
        return WEB_PAGE;
    };
    let file = path.rsplit('/').next().unwrap_or_default();
    let Some((_, ext)) = file.rsplit_once('.') else {
        return WEB_PAGE;
    };
    TYPES
        .iter()
        .find(|(e, _)| e.eq_ignore_ascii_case(ext))
        .map_or(WEB_PAGE, |(_, t)| t)
}

#[cfg(test)]
mod tests {
    use super::of_url;

    #[test]
    fn the_extension_of_the_path_names_the_media_type() {
        assert_eq!(
            of_url("https://www.unodc.org/review.pdf"),
            "application/pdf"
        );
        assert_eq!(
            of_url("https://www.unodc.org/Review.PDF"),
            "application/pdf"
        );
        assert_eq!(
            of_url("https://example.org/docs/report.docx"),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        );
        assert_eq!(
            of_url("https://example.org/data/figures.xlsx"),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        );
        assert_eq!(of_url("http://example.org/a/b.csv"), "text/csv");
    }

    #[test]
    fn the_query_and_fragment_do_not_hide_the_file() {
        assert_eq!(
            of_url("https://example.org/review.pdf?download=1&lang=fr"),
            "application/pdf"
        );
        assert_eq!(
            of_url("https://example.org/review.pdf#page=3"),
            "application/pdf"
        );
        // A query that merely mentions a file does not make the page that file.
        assert_eq!(
            of_url("https://example.org/get?file=review.pdf"),
            "text/html"
        );
    }

    #[test]
    fn pages_and_unknown_extensions_are_web_pages() {
        assert_eq!(of_url("https://www.unodc.org"), "text/html");
        assert_eq!(of_url("https://www.unodc.org/"), "text/html");
        assert_eq!(of_url("https://www.unodc.org/en/prisons"), "text/html");
        assert_eq!(of_url("https://www.unodc.org/en/prisons.html"), "text/html");
        assert_eq!(of_url("https://www.unodc.org/page.aspx?id=3"), "text/html");
        // A dot in the host is not an extension.
        assert_eq!(of_url("https://files.example.pdf"), "text/html");
    }
}
