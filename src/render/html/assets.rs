//! The page's constant script and stylesheet, and the Content-Security-Policy
//! that allows exactly them (by hash, checked by a test) and nothing else.

/// The page's one script: sorts the findings rows by a column. The rows are
/// flex items among the letters' sections, placed by `order`, so moving a row
/// to the end of the container keeps it among the rows: appending them in a
/// new order sorts them. It reads numbers and cell text, never runs them.
pub const SCRIPT: &str = r#"(function () {
  'use strict';
  document.documentElement.setAttribute('data-script', 'ok');
  var root = document.getElementById('report');
  if (!root) return;
  var rows = Array.prototype.slice.call(root.querySelectorAll('a.frow'));
  var buttons = Array.prototype.slice.call(root.querySelectorAll('.cols button[data-key]'));
  function num(r, k) { return Number(r.getAttribute('data-' + k)) || 0; }
  function cell(r, i) { return r.children[i] ? r.children[i].textContent : ''; }
  var keys = {
    path: function (r) { return cell(r, 0); },
    item: function (r) { return num(r, 'item'); },
    pos: function (r) { return num(r, 'line') * 1e7 + num(r, 'col'); },
    sev: function (r) { return num(r, 'sev'); },
    code: function (r) { return cell(r, 4); },
    msg: function (r) { return cell(r, 5); }
  };
  var current = null, dir = 0;
  function sort(key) {
    var first = key === 'sev' ? -1 : 1;
    if (key !== current) { current = key; dir = first; }
    else if (dir === first) { dir = -first; }
    else { current = null; dir = 0; }
    var order = rows.map(function (r) { return { r: r, k: current ? keys[current](r) : 0, i: num(r, 'i') }; });
    order.sort(function (a, b) {
      var c = 0;
      if (dir !== 0) {
        c = typeof a.k === 'number' ? a.k - b.k : a.k.localeCompare(b.k, undefined, { numeric: true });
      }
      return c * dir || a.i - b.i;
    });
    order.forEach(function (o) { root.appendChild(o.r); });
    buttons.forEach(function (b) {
      if (current && b.getAttribute('data-key') === current) {
        b.setAttribute('data-dir', dir > 0 ? 'asc' : 'desc');
      } else {
        b.removeAttribute('data-dir');
      }
    });
  }
  buttons.forEach(function (b) {
    b.addEventListener('click', function () { sort(b.getAttribute('data-key')); });
  });
})();"#;

/// The page's one stylesheet.
pub const STYLE: &str = r#"
:root{--bg:#f4f5f8;--fg:#1d2230;--muted:#5d6677;--card:#fff;--line:#dde1e8;--soft:#eef1f6;--accent:#2f5bd3;--accent-soft:#e9effd;--error:#c0392b;--warning:#b7700c;--info:#2471a3;--mark:#ffe68c;--mark-n:#ffc46b;--mark-l:#d7e4ff;--mark-e:#ffc9c4;--up:#2f5bd3;--over:#cdd7f0;--mono:ui-monospace,SFMono-Regular,Menlo,Consolas,"Liberation Mono","DejaVu Sans Mono",monospace}
@media (prefers-color-scheme:dark){:root{--bg:#14171d;--fg:#e2e5eb;--muted:#9aa3b3;--card:#1c2028;--line:#30363f;--soft:#232833;--accent:#7d9bff;--accent-soft:#243050;--error:#ff7b72;--warning:#e3a43a;--info:#6cb6ff;--mark:#675515;--mark-n:#8a5b12;--mark-l:#22385e;--mark-e:#6e2a2a;--up:#7d9bff;--over:#34405e}}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--fg);font:14px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","Helvetica Neue",Arial,sans-serif}
a{color:var(--accent)}
.report{display:flex;flex-direction:column;max-width:1280px;margin:0 auto;padding:28px 28px 56px}
.top{order:0}.charts{order:1}.fhead{order:3}.frow{order:4}.cross{order:6}.letters-h{order:7}.letter{order:8}.foot{order:9}
h1{font-size:1.65rem;margin:0 0 2px;letter-spacing:-.01em}
h2{font-size:1.05rem;margin:0 0 10px}
.count{display:inline-block;min-width:1.6em;padding:0 .45em;border-radius:999px;background:var(--soft);color:var(--muted);font-size:.8rem;text-align:center;vertical-align:2px}
.sub{color:var(--muted);margin:0 0 16px}
.cards{display:flex;flex-wrap:wrap;gap:12px;margin:0 0 20px}
.card{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:10px 16px;min-width:116px}
.card .num{display:block;font-size:1.55rem;font-weight:650;font-variant-numeric:tabular-nums;line-height:1.2}
.card .lbl{color:var(--muted);font-size:.82rem}
.card.error .num,.card.bad .num{color:var(--error)}.card.warning .num{color:var(--warning)}.card.info .num{color:var(--info)}
.panel{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:16px 18px;margin:0 0 20px;min-width:0}
.failures ul{margin:0;padding-left:1.2em}.failures li{margin:4px 0}.failures .why{color:var(--muted)}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(420px,1fr));gap:0 20px;align-items:start}
.charts .wide{grid-column:1/-1}
.charts .note{grid-column:1/-1;color:var(--muted);margin:-6px 0 20px}
.chart{display:block;width:100%;max-width:640px;height:auto}
.wide .chart{max-width:1140px}
svg text{fill:var(--fg);font-size:12.5px;font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",Arial,sans-serif}
svg text.val{fill:var(--muted);font-variant-numeric:tabular-nums}
.bar{fill:var(--accent)}.bar.up{fill:var(--up)}.bar.over{fill:var(--over)}
.bar.k-conclusion{fill:#c0392b}.bar.k-citation{fill:#2f5bd3}.bar.k-misstatement{fill:#8e44ad}.bar.k-criteria{fill:#b7700c}.bar.k-structure{fill:#16817a}.bar.k-inconsistency{fill:#d35400}
g:hover .bar{opacity:.85}
.legend{color:var(--muted);font-size:.85rem;margin:-4px 0 10px}
.sw{display:inline-block;width:11px;height:11px;border-radius:2px;margin:0 5px -1px 0}.sw.up{background:var(--up)}.sw.over{background:var(--over);margin-left:12px}
.empty,.note{color:var(--muted)}
.panel .note{margin:10px 0 0}
table.grid{border-collapse:collapse;width:100%;font-size:.9rem}
table.grid th,table.grid td{padding:5px 8px;border-bottom:1px solid var(--line);text-align:left;vertical-align:top;overflow-wrap:anywhere}
table.grid th{color:var(--muted);font-weight:600;font-size:.78rem;text-transform:uppercase;letter-spacing:.03em}
table.grid .r{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
details{margin-top:8px}
summary{cursor:pointer;color:var(--accent)}
code,.path{font-family:var(--mono);font-size:12.5px}
code{background:var(--soft);padding:1px 5px;border-radius:4px;overflow-wrap:anywhere}
.path{overflow-wrap:anywhere;unicode-bidi:isolate}
.badge{display:inline-block;padding:0 8px;border-radius:999px;font-size:.72rem;font-weight:650;line-height:1.65;color:#fff;background:var(--muted);text-transform:uppercase;letter-spacing:.03em}
.badge.error{background:var(--error)}.badge.warning{background:var(--warning)}.badge.info{background:var(--info)}
@media (prefers-color-scheme:dark){.badge{color:#111}}
.fhead{background:var(--card);border:1px solid var(--line);border-radius:10px 10px 0 0;padding:16px 0 0;margin-top:4px}
.fhead.none{border-radius:10px;padding-bottom:6px;margin-bottom:20px}
.fhead h2,.fhead .hint,.fhead .empty{padding:0 18px}
.fhead .hint{color:var(--muted);font-size:.85rem;margin:-6px 0 10px}
.cols,.frow{display:grid;grid-template-columns:minmax(9rem,1.5fr) 3rem 4.8rem 5.6rem minmax(9rem,1.45fr) minmax(12rem,3.2fr);gap:0 14px;padding:8px 18px;align-items:baseline}
.cols{border-top:1px solid var(--line);background:var(--soft);padding-top:7px;padding-bottom:7px}
.cols button{all:unset;cursor:pointer;color:var(--muted);font-weight:650;font-size:.74rem;text-transform:uppercase;letter-spacing:.04em}
.cols button:hover{color:var(--fg)}
.cols button:focus-visible{outline:2px solid var(--accent);outline-offset:2px}
.cols button[data-dir=asc]::after{content:" \25B2"}.cols button[data-dir=desc]::after{content:" \25BC"}
.cols button[data-dir]{color:var(--accent)}
.frow{background:var(--card);border:1px solid var(--line);border-top:none;color:inherit;text-decoration:none}
.frow:hover,.frow:focus-visible{background:var(--accent-soft);outline:none}
.report>a.frow:last-of-type{border-radius:0 0 10px 10px;margin-bottom:24px}
.frow>span{min-width:0;overflow-wrap:anywhere;unicode-bidi:isolate}
.c-path{font-family:var(--mono);font-size:12px;color:var(--muted)}
.c-item,.c-pos{font-variant-numeric:tabular-nums;color:var(--muted)}
.c-code{font-family:var(--mono);font-size:12px}
.xentry{border-top:1px solid var(--line);padding:10px 0}
.xentry p{margin:0 0 4px}
.others{margin:6px 0 0;padding-left:1.2em;color:var(--muted)}
.help{white-space:pre-wrap;margin:6px 0 0;color:var(--muted)}
.letters-h{margin:8px 0 12px}
.letter{background:var(--card);border:1px solid var(--line);border-radius:10px;margin:0 0 20px;overflow:hidden;scroll-margin-top:12px}
.letter>h3{display:flex;justify-content:space-between;gap:16px;margin:0;padding:11px 18px;border-bottom:1px solid var(--line);background:var(--soft);font-size:.95rem}
.letter>h3 .meta{color:var(--muted);font-weight:500;white-space:nowrap;font-size:.85rem}
.failure{margin:0;padding:10px 18px;border-bottom:1px solid var(--line)}
.failure-link{margin:0;padding:4px 18px 10px;border-bottom:1px solid var(--line)}
.notes{list-style:none;margin:0;padding:4px 18px;border-bottom:1px solid var(--line)}
.notes li{padding:8px 0;border-bottom:1px dashed var(--line)}
.notes li:last-child{border-bottom:none}
.notes .pos{font-family:var(--mono);font-size:12px;margin-right:4px}
.notes .item{color:var(--muted);font-size:.85rem}
.notes .msg{margin-top:3px}
pre.text{margin:0;padding:12px 18px 14px 0;overflow-x:auto;font:12.5px/1.6 var(--mono);tab-size:4;white-space:pre}
.ln::before{content:attr(data-n);display:inline-block;width:3.6em;padding-right:.9em;margin-right:1em;text-align:right;color:var(--muted);background:var(--card);border-right:1px solid var(--line);user-select:none;-webkit-user-select:none}
mark{color:inherit;background:var(--mark);border-radius:2px;box-shadow:0 1px 0 rgba(0,0,0,.18)}
mark.n{background:var(--mark-n)}mark.l{background:var(--mark-l)}mark.e{background:var(--mark-e)}
mark.pt{display:inline-block;width:0;height:1.25em;vertical-align:-.25em;border-left:2px solid var(--error);box-shadow:none;background:none}
mark[id],.anchor{scroll-margin-top:35vh}
mark:target,.anchor:target+mark{outline:2px solid var(--accent);outline-offset:2px}
.foot{color:var(--muted);font-size:.82rem;margin-top:8px}
@media (max-width:760px){.report{padding:16px 12px 40px}.cols{display:none}.frow{grid-template-columns:1fr 1fr;gap:2px 10px}.frow .c-msg,.frow .c-path{grid-column:1/-1}.charts{grid-template-columns:1fr}}
@media print{.cols button::after{content:none}details{display:block}}
"#;

/// SHA-256 of [`SCRIPT`], base64: the policy allows the script by this hash.
pub const SCRIPT_SHA256: &str = "8wylJOcP85TuxKdBg0jWSgf2QFRED+OJpRshZKnsVxU=";
/// SHA-256 of [`STYLE`], base64.
pub const STYLE_SHA256: &str = "GRqm05BkVgxAZs9jA0plW+Up9SbjQkiDjaz3DU3wz9Y=";

/// The page's Content-Security-Policy: nothing from the network, only the
/// page's own script and stylesheet (by hash), images only inline.
pub fn content_security_policy() -> String {
    format!(
        "default-src 'none'; script-src 'sha256-{SCRIPT_SHA256}'; style-src 'sha256-{STYLE_SHA256}'; img-src data:; base-uri 'none'; form-action 'none'"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine as _;
    use sha2::{Digest, Sha256};

    fn hash(s: &str) -> String {
        base64::engine::general_purpose::STANDARD.encode(Sha256::digest(s.as_bytes()))
    }

    #[test]
    fn the_policy_names_the_page_s_own_script_and_style() {
        // Edit SCRIPT or STYLE and this fails with the new hash to put in the constant.
        assert_eq!(SCRIPT_SHA256, hash(SCRIPT), "SCRIPT_SHA256");
        assert_eq!(STYLE_SHA256, hash(STYLE), "STYLE_SHA256");
        let csp = content_security_policy();
        assert!(csp.starts_with("default-src 'none';"));
        assert!(csp.contains(&format!("'sha256-{SCRIPT_SHA256}'")));
        assert!(csp.contains(&format!("'sha256-{STYLE_SHA256}'")));
        assert!(!csp.contains("unsafe"));
        // The constants must not be able to end their own elements early.
        assert!(!SCRIPT.contains("</"));
        assert!(!STYLE.contains("</"));
    }
}
