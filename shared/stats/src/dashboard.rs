//! The public dashboard (`index.html`): one self-contained page in Bahasa Indonesia —
//! inline CSS and SVG, no script, no outside resource — built from the [`Summary`]
//! alone, readable on a phone (fluid layout, tables that scroll sideways).

use crate::summary::{Count, Durations, Summary};

/// The 18 kecamatan of Kabupaten Tegal on a tile grid, `(id, column, row)`, arranged
/// roughly as they lie: the coast (Kramat, Suradadi, Warureja) on top, the slopes of
/// Slamet (Bumijawa, Bojong) at the bottom, Margasari in the west, Jatinegara in the east.
pub const KECAMATAN_TILES: [(&str, u32, u32); 18] = [
    ("kec-kramat", 2, 0),
    ("kec-suradadi", 3, 0),
    ("kec-warureja", 4, 0),
    ("kec-dukuhturi", 1, 1),
    ("kec-talang", 2, 1),
    ("kec-tarub", 3, 1),
    ("kec-pagerbarang", 0, 2),
    ("kec-adiwerna", 1, 2),
    ("kec-slawi", 2, 2),
    ("kec-pangkah", 3, 2),
    ("kec-kedungbanteng", 4, 2),
    ("kec-margasari", 0, 3),
    ("kec-dukuhwaru", 1, 3),
    ("kec-lebaksiu", 2, 3),
    ("kec-jatinegara", 3, 3),
    ("kec-balapulang", 1, 4),
    ("kec-bojong", 2, 4),
    ("kec-bumijawa", 1, 5),
];

/// Escapes text for HTML.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

fn percent(rate: Option<f64>) -> String {
    rate.map(|r| format!("{:.1}%", r * 100.0).replace('.', ","))
        .unwrap_or_else(|| "–".to_owned())
}

/// A duration as people read it: `45 mnt`, `3,2 jam`, `2,5 hari`.
pub fn duration(seconds: Option<f64>) -> String {
    match seconds {
        None => "–".to_owned(),
        Some(s) if s < 3600.0 => format!("{:.0} mnt", (s / 60.0).max(1.0)),
        Some(s) if s < 86_400.0 => format!("{:.1} jam", s / 3600.0).replace('.', ","),
        Some(s) => format!("{:.1} hari", s / 86_400.0).replace('.', ","),
    }
}

fn number(n: i64) -> String {
    let digits = n.abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(c);
    }
    if n < 0 {
        format!("-{out}")
    } else {
        out
    }
}

fn card(label: &str, value: &str, note: &str) -> String {
    format!(
        "<div class=\"card\"><div class=\"v\">{}</div><div class=\"l\">{}</div><div class=\"n\">{}</div></div>",
        escape(value),
        escape(label),
        escape(note)
    )
}

/// A bar chart of the monthly trend.
fn trend_svg(summary: &Summary) -> String {
    let points = &summary.trend.monthly;
    let max = points.iter().map(|p| p.reports).max().unwrap_or(0).max(1) as f64;
    let (w, h, pad) = (600.0, 220.0, 30.0);
    let step = (w - 2.0 * pad) / points.len().max(1) as f64;
    let mut svg = format!(
        "<svg viewBox=\"0 0 {w} {h}\" role=\"img\" aria-label=\"Tren laporan per bulan\" class=\"chart\">"
    );
    svg.push_str(&format!(
        "<line x1=\"{pad}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#999\"/>",
        h - pad,
        w - pad,
        h - pad
    ));
    for (i, p) in points.iter().enumerate() {
        let x = pad + i as f64 * step + step * 0.15;
        let bw = step * 0.7;
        let bh = (h - 2.0 * pad) * p.reports as f64 / max;
        let rh = (h - 2.0 * pad) * p.responded as f64 / max;
        svg.push_str(&format!(
            "<rect x=\"{x:.1}\" y=\"{:.1}\" width=\"{bw:.1}\" height=\"{bh:.1}\" fill=\"#9ecae1\"><title>{}: {} laporan</title></rect>",
            h - pad - bh,
            escape(&p.period),
            p.reports
        ));
        svg.push_str(&format!(
            "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{rh:.1}\" fill=\"#08519c\"><title>{}: {} ditindaklanjuti</title></rect>",
            x + bw * 0.25,
            h - pad - rh,
            bw * 0.5,
            escape(&p.period),
            p.responded
        ));
        svg.push_str(&format!(
            "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"10\" text-anchor=\"middle\">{}</text>",
            x + bw / 2.0,
            h - pad + 14.0,
            escape(p.period.get(2..).unwrap_or(&p.period))
        ));
        if p.reports > 0 {
            svg.push_str(&format!(
                "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"10\" text-anchor=\"middle\">{}</text>",
                x + bw / 2.0,
                h - pad - bh - 3.0,
                p.reports
            ));
        }
    }
    svg.push_str("</svg>");
    svg
}

/// The kecamatan tile map, shaded by number of reports.
fn kecamatan_svg(summary: &Summary) -> String {
    let max = summary
        .by_kecamatan
        .iter()
        .map(|k| k.reports)
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    let (tile, gap) = (96.0, 4.0);
    let mut svg = format!(
        "<svg viewBox=\"0 0 {} {}\" role=\"img\" aria-label=\"Peta petak laporan per kecamatan\" class=\"map\">",
        5.0 * (tile + gap),
        6.0 * (tile + gap)
    );
    for (id, col, row) in KECAMATAN_TILES {
        let found = summary.by_kecamatan.iter().find(|k| k.id == id);
        let reports = found.map(|k| k.reports).unwrap_or(0);
        let name = found
            .map(|k| k.name.trim_start_matches("Kecamatan ").to_owned())
            .unwrap_or_else(|| id.trim_start_matches("kec-").to_owned());
        let t = reports as f64 / max;
        // From #eff3ff (few) to #08519c (many).
        let mix = |a: f64, b: f64| (a + (b - a) * t).round() as u8;
        let fill = format!(
            "#{:02x}{:02x}{:02x}",
            mix(239.0, 8.0),
            mix(243.0, 81.0),
            mix(255.0, 156.0)
        );
        let text = if t > 0.5 { "#fff" } else { "#111" };
        let x = f64::from(col) * (tile + gap);
        let y = f64::from(row) * (tile + gap);
        svg.push_str(&format!(
            "<g><rect x=\"{x}\" y=\"{y}\" width=\"{tile}\" height=\"{tile}\" rx=\"6\" fill=\"{fill}\" stroke=\"#555\"><title>{}: {} laporan</title></rect><text x=\"{}\" y=\"{}\" font-size=\"12\" text-anchor=\"middle\" fill=\"{text}\">{}</text><text x=\"{}\" y=\"{}\" font-size=\"18\" font-weight=\"bold\" text-anchor=\"middle\" fill=\"{text}\">{}</text></g>",
            escape(&name),
            reports,
            x + tile / 2.0,
            y + tile / 2.0 - 6.0,
            escape(&name),
            x + tile / 2.0,
            y + tile / 2.0 + 16.0,
            reports
        ));
    }
    svg.push_str("</svg>");
    svg
}

fn bars(counts: &[Count], limit: usize) -> String {
    let max = counts.iter().map(|c| c.reports).max().unwrap_or(0).max(1) as f64;
    let mut html = String::from("<table class=\"bars\"><tbody>");
    for c in counts.iter().take(limit) {
        html.push_str(&format!(
            "<tr><th scope=\"row\">{}</th><td><span class=\"bar\" style=\"width:{:.1}%\"></span></td><td class=\"num\">{}</td></tr>",
            escape(&c.name),
            100.0 * c.reports as f64 / max,
            number(c.reports)
        ));
    }
    if counts.is_empty() {
        html.push_str("<tr><td>Belum ada laporan.</td></tr>");
    }
    html.push_str("</tbody></table>");
    html
}

fn durations_cell(d: &Durations) -> String {
    format!(
        "{} / {}",
        escape(&duration(d.median_seconds)),
        escape(&duration(d.p90_seconds))
    )
}

/// The page.
pub fn render(summary: &Summary) -> String {
    let t = &summary.totals;
    let generated = summary.generated_at.display_wib();
    let mut units: Vec<_> = summary
        .by_unit
        .iter()
        .filter(|u| u.measures.reports > 0)
        .collect();
    units.sort_by(|a, b| {
        b.measures
            .reports
            .cmp(&a.measures.reports)
            .then_with(|| a.id.cmp(&b.id))
    });
    let unit_counts: Vec<Count> = units
        .iter()
        .map(|u| Count {
            id: u.id.clone(),
            name: u.name.clone(),
            reports: u.measures.reports,
            responded: Some(u.measures.responded),
        })
        .collect();
    let mut html = String::new();
    html.push_str("<!DOCTYPE html>\n<html lang=\"id\"><head><meta charset=\"utf-8\">");
    html.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">");
    html.push_str(&format!(
        "<title>Transparansi {}</title>",
        escape(&summary.service)
    ));
    html.push_str("<style>body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:0;color:#111;background:#f6f7f9;line-height:1.4}header{background:#08519c;color:#fff;padding:1rem}header h1{margin:0;font-size:1.4rem}main{max-width:960px;margin:0 auto;padding:1rem}section{background:#fff;border-radius:8px;padding:1rem;margin-bottom:1rem;box-shadow:0 1px 2px rgba(0,0,0,.08)}h2{font-size:1.1rem;margin-top:0}.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(140px,1fr));gap:.5rem}.card{background:#eef4fb;border-radius:6px;padding:.6rem}.card .v{font-size:1.5rem;font-weight:700}.card .l{font-size:.9rem}.card .n{font-size:.75rem;color:#555}svg{width:100%;height:auto}.map{max-width:480px;display:block;margin:0 auto}.scroll{overflow-x:auto}table{border-collapse:collapse;width:100%;font-size:.9rem}th,td{padding:.3rem .4rem;border-bottom:1px solid #e3e3e3;text-align:left;vertical-align:top}.num{text-align:right;white-space:nowrap}.bars th{font-weight:normal;width:45%}.bar{display:inline-block;height:.8rem;background:#3182bd;border-radius:2px}.legend span{display:inline-block;width:.8rem;height:.8rem;margin:0 .3rem 0 .8rem;vertical-align:middle}footer{font-size:.8rem;color:#555;padding:0 1rem 2rem;max-width:960px;margin:0 auto}</style>");
    html.push_str("</head><body>");
    html.push_str(&format!(
        "<header><h1>Transparansi {}</h1><div>Diperbarui {}</div></header><main>",
        escape(&summary.service),
        escape(&generated)
    ));
    html.push_str("<section><h2>Ringkasan</h2><div class=\"cards\">");
    html.push_str(&card("Laporan masuk", &number(t.reports), "sejak awal"));
    html.push_str(&card(
        "Ditindaklanjuti",
        &percent(t.follow_up_rate),
        &format!("{} laporan", number(t.responded)),
    ));
    html.push_str(&card(
        "Selesai",
        &number(t.resolved),
        &format!("dibuka kembali {}", percent(t.reopen_rate)),
    ));
    html.push_str(&card(
        "Tepat waktu (SLA)",
        &percent(summary.sla.compliance),
        &format!(
            "{} dari {} penyelesaian",
            number(summary.sla.met),
            number(summary.sla.met + summary.sla.missed)
        ),
    ));
    html.push_str(&card(
        "Tanggapan pertama",
        &duration(t.first_response.median_seconds),
        &format!("median; p90 {}", duration(t.first_response.p90_seconds)),
    ));
    html.push_str(&card(
        "Nilai warga",
        &t.rating_average
            .map(|r| format!("{r:.2}").replace('.', ","))
            .unwrap_or_else(|| "–".into()),
        &format!("dari 5, {} penilaian", number(t.rating_count)),
    ));
    html.push_str(&card(
        "Bulan ini",
        &number(summary.this_month.reports),
        &format!("laporan ({})", summary.month),
    ));
    html.push_str("</div></section>");
    html.push_str("<section><h2>Tren laporan 12 bulan terakhir</h2>");
    html.push_str(&trend_svg(summary));
    html.push_str("<div class=\"legend\"><span style=\"background:#9ecae1\"></span>Laporan masuk<span style=\"background:#08519c\"></span>Ditindaklanjuti</div></section>");
    html.push_str("<section><h2>Laporan per kecamatan</h2>");
    html.push_str(&kecamatan_svg(summary));
    html.push_str("<p>Petak disusun mengikuti letak kecamatan; makin gelap, makin banyak laporan.</p></section>");
    html.push_str("<section><h2>Laporan per kategori</h2><div class=\"scroll\">");
    html.push_str(&bars(&summary.by_category, 28));
    html.push_str("</div></section><section><h2>Laporan per unit</h2><div class=\"scroll\">");
    html.push_str(&bars(&unit_counts, 50));
    html.push_str("</div></section>");
    html.push_str("<section><h2>Kepatuhan SLA dan waktu penanganan per unit</h2><div class=\"scroll\"><table><thead><tr><th>Unit</th><th class=\"num\">Laporan</th><th class=\"num\">Ditindaklanjuti</th><th class=\"num\">Tepat waktu</th><th class=\"num\">Tanggapan pertama (median / p90)</th><th class=\"num\">Penyelesaian (median / p90)</th><th class=\"num\">Nilai</th></tr></thead><tbody>");
    for u in &units {
        html.push_str(&format!(
            "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
            escape(&u.name),
            number(u.measures.reports),
            percent(u.measures.follow_up_rate),
            percent(u.sla.compliance),
            durations_cell(&u.measures.first_response),
            durations_cell(&u.measures.resolution),
            u.measures
                .rating_average
                .map(|r| format!("{r:.2}").replace('.', ","))
                .unwrap_or_else(|| "–".into())
        ));
    }
    html.push_str("</tbody></table></div></section>");
    let board = &summary.leaderboard;
    html.push_str(&format!(
        "<section><h2>Papan peringkat PIC — {}</h2><div class=\"scroll\"><table><thead><tr><th class=\"num\">#</th><th>PIC</th><th>Unit</th><th class=\"num\">Tanggapan</th><th class=\"num\">Tindak lanjut berbukti</th><th class=\"num\">Median tanggapan pertama</th><th class=\"num\">Tepat waktu</th><th class=\"num\">Skor</th></tr></thead><tbody>",
        escape(&board.period)
    ));
    for p in board.pics.iter().take(20) {
        html.push_str(&format!(
            "<tr><td class=\"num\">{}</td><td>{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{:.2}</td></tr>",
            p.rank,
            escape(&p.pic_id),
            escape(&p.unit_name),
            p.responses,
            p.follow_ups_with_evidence,
            escape(&duration(p.median_first_response_seconds)),
            percent(p.sla_compliance),
            p.score
        ));
    }
    if board.pics.is_empty() {
        html.push_str("<tr><td colspan=\"8\">Belum ada kegiatan PIC bulan ini.</td></tr>");
    }
    html.push_str("</tbody></table></div>");
    html.push_str(&format!(
        "<h2>Papan peringkat unit — {}</h2><div class=\"scroll\"><table><thead><tr><th class=\"num\">#</th><th>Unit</th><th class=\"num\">Laporan</th><th class=\"num\">Ditindaklanjuti</th><th class=\"num\">Tepat waktu</th><th class=\"num\">Nilai</th><th class=\"num\">Skor</th></tr></thead><tbody>",
        escape(&board.period)
    ));
    for u in board.units.iter().take(20) {
        html.push_str(&format!(
            "<tr><td class=\"num\">{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{:.2}</td></tr>",
            u.rank,
            escape(&u.unit_name),
            u.reports,
            percent(u.follow_up_rate),
            percent(u.sla_compliance),
            u.rating_average
                .map(|r| format!("{r:.2}").replace('.', ","))
                .unwrap_or_else(|| "–".into()),
            u.score
        ));
    }
    if board.units.is_empty() {
        html.push_str("<tr><td colspan=\"7\">Belum ada kegiatan unit bulan ini.</td></tr>");
    }
    html.push_str(&format!(
        "</tbody></table></div><p>Cara menghitung skor: {}</p></section>",
        escape(&board.scoring)
    ));
    html.push_str(&format!(
        "</main><footer>Data terbuka: <a href=\"summary.json\">summary.json</a> (skema versi {}) dan <a href=\"reports-{}.csv\">laporan publik bulan {}</a> (CSV). Median dan p90 waktu dihitung dari histogram dengan galat paling besar {}. Laporan rahasia hanya dihitung dalam angka; identitas pelapor tidak pernah ditampilkan.</footer></body></html>\n",
        summary.schema_version,
        escape(&summary.month),
        escape(&summary.month),
        percent(Some(summary.error_bound.duration_relative))
    ));
    html
}
