use std::io::IsTerminal;

use anyhow::Result;
use serde_json::{Value, json};

use crate::backend;
use crate::cli::ListArgs;
use crate::clock;
use crate::context::Ctx;
use crate::error::Outcome;
use crate::output::Output;

const COLUMNS: [&str; 7] = [
    "KID",
    "ALG",
    "STATE",
    "CREATED",
    "SIGNS FROM",
    "RETIRED",
    "PRUNABLE AFTER",
];

pub fn run(args: &ListArgs, ctx: &Ctx, out: &mut Output) -> Result<Outcome> {
    let store = backend::load(ctx)?;
    let view = store.view(ctx.now);
    let rows: Vec<[String; 7]> = store
        .ordered_in(&view)
        .into_iter()
        .map(|i| {
            let key = &store.keys[i];
            let time = |t: Option<clock::Time>| t.map_or_else(|| "-".to_owned(), clock::format);
            [
                key.kid().to_owned(),
                key.alg.name().to_owned(),
                view[i].state.name().to_owned(),
                clock::format(key.times.created),
                clock::format(key.times.signs_from),
                time(view[i].retired),
                time(view[i].prunable),
            ]
        })
        .collect();
    if args.json {
        for row in rows {
            let time = |s: &str| {
                if s == "-" {
                    Value::Null
                } else {
                    Value::from(s)
                }
            };
            let line = json!({
                "kid": row[0], "alg": row[1], "state": row[2], "created": row[3],
                "signs_from": row[4], "retired": time(&row[5]), "prunable_after": time(&row[6]),
            });
            out.data(line)?;
        }
        return Ok(Outcome::Done);
    }
    // The header is for people; a pipe gets one line per key.
    let header = std::io::stdout().is_terminal();
    let mut widths = if header {
        COLUMNS.map(str::len)
    } else {
        [0; 7]
    };
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: &[&str]| {
        let padded: Vec<String> = cells
            .iter()
            .zip(widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect();
        padded.join("  ").trim_end().to_owned()
    };
    if header {
        out.data(line(&COLUMNS))?;
    }
    for row in &rows {
        out.data(line(&row.each_ref().map(String::as_str)))?;
    }
    Ok(Outcome::Done)
}
