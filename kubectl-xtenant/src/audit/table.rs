//! The report as a table for people: one row a check, split into namespace,
//! object and check, the fix of a finding on the lines under it, and a
//! closing count. `-o json` prints the report itself.

use crate::output::{Report, Verdict};

const HEADER: [&str; 5] = ["", "NAMESPACE", "OBJECT", "CHECK", "DETAIL"];

/// `ns/kind/name/check` as its columns; a check of no object has none.
fn columns(id: &str) -> [&str; 3] {
    let split = || {
        let (ns, rest) = id.split_once('/')?;
        let kind_end = rest.find('/')?;
        let name_end = kind_end + 1 + rest[kind_end + 1..].find('/')?;
        Some([ns, &rest[..name_end], &rest[name_end + 1..]])
    };
    split().unwrap_or(["", "", id])
}

fn mark(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Pass => "ok",
        Verdict::Warn => "warn",
        Verdict::Fail => "FAIL",
        Verdict::Skip => "skip",
    }
}

/// The table, its header first and the count of findings last.
pub fn render(report: &Report) -> String {
    let rows: Vec<[&str; 5]> = report
        .checks
        .iter()
        .map(|c| {
            let [ns, object, check] = columns(&c.id);
            [mark(c.verdict), ns, object, check, c.detail.as_str()]
        })
        .collect();
    let mut widths = HEADER.map(str::len);
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.len());
        }
    }
    let line = |cells: &[&str; 5]| {
        let mut out = String::new();
        for (i, cell) in cells.iter().enumerate().take(4) {
            out.push_str(&format!("{cell:<w$}  ", w = widths[i]));
        }
        out.push_str(cells[4]);
        out.push('\n');
        out
    };
    let indent = widths.iter().take(4).map(|w| w + 2).sum::<usize>();
    let mut out = line(&HEADER);
    for (row, check) in rows.iter().zip(&report.checks) {
        out.push_str(&line(row));
        for fix in check.fix.iter().flat_map(|f| f.lines()) {
            out.push_str(&format!("{:indent$}fix: {fix}\n", ""));
        }
    }
    let findings = report.checks.iter().filter(|c| c.failed()).count();
    let verdict = match findings {
        0 => "no findings".to_string(),
        1 => "1 finding".to_string(),
        n => format!("{n} findings"),
    };
    out.push_str(&format!("audit: {verdict}\n"));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::Check;

    #[test]
    fn ids_split_into_namespace_object_and_check() {
        assert_eq!(
            columns("shop/pod/web-1/app/env.AZURE_TENANT_ID"),
            ["shop", "pod/web-1", "app/env.AZURE_TENANT_ID"]
        );
        assert_eq!(columns("profile"), ["", "", "profile"]);
    }

    #[test]
    fn a_finding_has_its_fix_under_it_and_is_counted() {
        let mut report = Report::new("audit");
        report.push(Check::pass("profile", "profile \"default\""));
        report.push(Check::fail(
            "shop/deployment/web/label",
            "on the object only",
            "kubectl xtenant bind deployment/web -n shop",
        ));
        let text = render(&report);
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines[0].starts_with("      NAMESPACE  OBJECT"), "{text}");
        assert!(
            lines[2].starts_with("FAIL  shop       deployment/web  label"),
            "{text}"
        );
        assert!(
            lines[3].trim_start() == "fix: kubectl xtenant bind deployment/web -n shop",
            "{text}"
        );
        assert_eq!(lines[4], "audit: 1 finding");
    }
}
