// Static-site search: Pagefind's index (built by `dailypapers site`), results drawn with DOM text nodes only
// (titles and summaries are untrusted: nothing here parses HTML). Highlighting follows dailypapers.search:
// CJK words match anywhere, Latin words from their start (whole words when shorter than three characters).
const SENTINEL = "\u2042"; // the record's readable text ends here; CJK suffixes for prefix matching follow
const MAX_SUFFIX = 8; // dailypapers.search.MAX_SUFFIX_CHARS
const CJK = "\\u1100-\\u11ff\\u3040-\\u30ff\\u3130-\\u318f\\u3400-\\u9fff\\uac00-\\ud7af\\uf900-\\ufaff";
const siteRoot = new URL("../", import.meta.url);
const form = new URLSearchParams(location.search);
const query = (form.get("q") || "").slice(0, 256);
const status = document.getElementById("status");
const list = document.getElementById("hits");

function escapeRe(s) { return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"); }

// A CJK word longer than the indexed suffixes is looked up as pieces of that length.
function pagefindQuery(q) {
  const cjkRun = new RegExp(`[${CJK}]{${MAX_SUFFIX + 1},}`, "gu");
  return q.replace(cjkRun, (run) => run.match(new RegExp(`.{1,${MAX_SUFFIX}}`, "gu")).join(" "));
}

// The app splits a Korean compound between its nouns with an analyzer (dailypapers.search.split_compounds),
// which a browser does not have. Here a Korean word of 4, 6 or 8 syllables, most often two-syllable nouns
// (강화학습, 거대언어모델), is also searched as those pieces, and the papers either search finds are shown:
// 강화학습 then finds 강화 학습 and the two nouns apart, as in the app.
function splitCompounds(q) {
  return q.replace(/(?<![가-힣])[가-힣]{4,8}(?![가-힣])/gu,
    (w) => (w.length % 2 ? w : w.match(/[가-힣]{2}/gu).join(" ")));
}

async function searchAll(pagefind, q) {
  const queries = [...new Set([pagefindQuery(q), pagefindQuery(splitCompounds(q))])];
  const seen = new Set();
  const results = [];
  for (const one of queries) {
    for (const r of (await pagefind.search(one)).results) {
      if (!seen.has(r.id)) { seen.add(r.id); results.push(r); }
    }
  }
  return {results};
}

function highlighter(q) {
  const parts = [];
  const seg = new RegExp(`([${CJK}]+)|([^\\s\\p{P}\\p{S}_${CJK}]+)`, "gu");
  for (const m of q.matchAll(seg)) {
    if (m[1]) parts.push(escapeRe(m[1]));
    else if (m[2].length >= 3) parts.push(`(?<![\\p{L}\\p{N}])${escapeRe(m[2])}[\\p{L}\\p{N}]*`);
    else parts.push(`(?<![\\p{L}\\p{N}])${escapeRe(m[2])}(?![\\p{L}\\p{N}])`);
  }
  parts.sort((a, b) => b.length - a.length);
  return parts.length ? new RegExp(parts.join("|"), "giu") : null;
}

function appendMarked(parent, text, re) {
  let pos = 0;
  if (re) {
    re.lastIndex = 0;
    for (const m of text.matchAll(re)) {
      if (!m[0]) continue;
      parent.append(document.createTextNode(text.slice(pos, m.index)));
      const mark = document.createElement("mark");
      mark.textContent = m[0];
      parent.append(mark);
      pos = m.index + m[0].length;
    }
  }
  parent.append(document.createTextNode(text.slice(pos)));
}

function excerpt(text, re, width = 160) {
  const flat = text.split(/\s+/).join(" ").trim();
  re.lastIndex = 0;
  const m = re.exec(flat);
  if (!m) return null;
  let start = Math.max(0, m.index - Math.floor(width / 3));
  if (start > 0) { const sp = flat.lastIndexOf(" ", start); if (sp >= 0 && start - sp < 20) start = sp + 1; }
  let end = Math.min(flat.length, start + width);
  if (end < flat.length) { const sp = flat.indexOf(" ", end); if (sp >= 0 && sp - end < 20) end = sp; }
  return (start > 0 ? "…" : "") + flat.slice(start, end) + (end < flat.length ? "…" : "");
}

async function run() {
  const input = document.getElementById("q");
  if (input) input.value = query;
  if (!query.trim()) return;
  status.textContent = "Searching…";
  const pagefind = await import(new URL("pagefind/pagefind.js", siteRoot).href);
  const found = await searchAll(pagefind, query);
  const shown = await Promise.all(found.results.slice(0, 50).map((r) => r.data()));
  const re = highlighter(query);
  list.replaceChildren();
  for (const data of shown) {
    const item = document.createElement("li");
    const link = document.createElement("a");
    const href = new URL(String(data.url).replace(/^\/+/, ""), siteRoot); // records sit at the pages' paths
    if (href.origin !== siteRoot.origin) continue; // every record is one of this site's pages
    link.href = href.href;
    appendMarked(link, String(data.meta.title || data.url), re);
    item.append(link);
    if (data.meta.day) {
      const day = document.createElement("small");
      day.textContent = " " + data.meta.day;
      item.append(day);
    }
    const text = String(data.content || "").split(SENTINEL)[0];
    const snip = re ? excerpt(text, re) : null;
    if (snip) {
      const p = document.createElement("p");
      p.className = "snippet";
      appendMarked(p, snip, re);
      item.append(p);
    }
    list.append(item);
  }
  const n = found.results.length;
  status.textContent = `${n} paper${n === 1 ? "" : "s"} found${n > 50 ? " (the first 50)" : ""}.`;
}

run().catch((err) => { status.textContent = "Search is unavailable: " + err; });
