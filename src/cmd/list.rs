use std::io::IsTerminal;

use anyhow::Result;
use serde_json::{Value, json};

use crate::backend;
use crate::cli::ListArgs;
use crate::clock;
use crate::context::Ctx;
use crate::error::Outcome;
use crate::output::Output;
use crate::store::{State, StoredKey};

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
    // A SIGNER column only for a store that has keys signed elsewhere, so
    // that scripts reading a store of local keys see what they always saw.
    let signers = store.keys.iter().any(|k| k.signer.is_some());
    let rows: Vec<(usize, Vec<String>)> = store
        .ordered_in(&view)
        .into_iter()
        .map(|i| {
            let key = &store.keys[i];
            let time = |t: Option<clock::Time>| t.map_or_else(|| "-".to_owned(), clock::format);
            let mut row = vec![
                key.kid().to_owned(),
                key.alg.name().to_owned(),
                state_shown(key, view[i].state),
                clock::format(key.times.created),
                clock::format(key.times.signs_from),
                time(view[i].retired),
                time(view[i].prunable),
            ];
            if signers {
                row.push(
                    key.signer
                        .as_ref()
                        .map_or_else(|| "-".to_owned(), ToString::to_string),
                );
            }
            (i, row)
        })
        .collect();
    if args.json {
        for (i, row) in rows {
            let time = |s: &str| {
                if s == "-" {
                    Value::Null
                } else {
                    Value::from(s)
                }
            };
            let mut line = json!({
                "kid": row[0], "alg": row[1], "state": view[i].state.name(), "created": row[3],
                "signs_from": row[4], "retired": time(&row[5]), "prunable_after": time(&row[6]),
            });
            await_members(&store.keys[i], &mut line);
            if let Some(signer) = store.keys[i].signer.as_ref() {
                line["signer"] = json!(signer.to_string());
            }
            out.data(line)?;
        }
    } else {
        table(&rows, signers, out)?;
    }
    for version in &store.destroy {
        out.status(format_args!(
            "not destroyed yet: {version}, whose key was removed (a later 'jwkctl prune' destroys it once the engine allows: it never destroys the latest version, nor one newer than a version the store names)"
        ));
    }
    Ok(Outcome::Done)
}

fn table(rows: &[(usize, Vec<String>)], signers: bool, out: &mut Output) -> Result<()> {
    let columns: Vec<&str> = COLUMNS
        .iter()
        .copied()
        .chain(signers.then_some("SIGNER"))
        .collect();
    // The header is for people; a pipe gets one line per key.
    let header = std::io::stdout().is_terminal();
    let mut widths: Vec<usize> = if header {
        columns.iter().map(|c| c.len()).collect()
    } else {
        vec![0; columns.len()]
    };
    for (_, row) in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: &[&str]| {
        let padded: Vec<String> = cells
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect();
        padded.join("  ").trim_end().to_owned()
    };
    if header {
        out.data(line(&columns))?;
    }
    for (_, row) in rows {
        let cells: Vec<&str> = row.iter().map(String::as_str).collect();
        out.data(line(&cells))?;
    }
    Ok(())
}

/// A key's state, and for a pending key whose sources have not all listed
/// it yet, how many it waits for.
fn state_shown(key: &StoredKey, state: State) -> String {
    match &key.times.takeover {
        Some(wait) if state == State::Pending && wait.unconfirmed() => {
            let n = wait.sources.len();
            format!(
                "pending (awaiting {n} source{})",
                if n == 1 { "" } else { "s" }
            )
        }
        _ => state.name().to_owned(),
    }
}

/// `await` (the sources), `confirmed` and `cache_lifetime` (seconds).
fn await_members(key: &StoredKey, line: &mut Value) {
    let wait = key.times.takeover.as_ref();
    line["await"] = wait.map_or_else(|| json!([]), |w| json!(w.sources));
    line["confirmed"] = json!(wait.and_then(|w| w.confirmed).map(clock::format));
    line["cache_lifetime"] = json!(wait.and_then(|w| w.cache_lifetime).map(|d| d.as_secs()));
}
