
use builtin;
use str;

set edit:completion:arg-completer[jwkctl] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'jwkctl'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'jwkctl'= {
            cand -k 'The key store: a file, or vault:MOUNT/PATH for a secret of an OpenBao or Vault KV version 2 engine'
            cand --keys 'The key store: a file, or vault:MOUNT/PATH for a secret of an OpenBao or Vault KV version 2 engine'
            cand --now 'Act as if the current time were TIME (RFC 3339 like 2026-01-02T03:04:05Z, or Unix seconds)'
            cand -q 'No status lines on stderr (errors and rejections are still shown)'
            cand --quiet 'No status lines on stderr (errors and rejections are still shown)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand keygen 'Create the key store with one active signing key, and print its kid'
            cand jwks 'Print the public JWK Set: every key a verifier must accept now'
            cand sign 'Print a signed JWT (compact JWS) from the active key'
            cand verify 'Verify a token and print its claims as one JSON line'
            cand rotate 'Add a new signing key and print its kid'
            cand prune 'Remove keys retired for longer than the grace period, printing each kid'
            cand revoke 'Remove a key at once (the emergency path)'
            cand list 'Show every key: kid, alg, state, created, signs from, retired, prunable after'
            cand inspect 'Decode a token WITHOUT verifying it and print {"header":..,"claims":..}'
            cand export 'Print one key of the store: a public JWK, or SPKI PEM with --pem'
            cand import 'Add a private key from a PEM or JWK file as a new key, and print its kid'
            cand fixtures 'Write a test kit for a JWT verifier: a JWK Set, tokens and a manifest'
            cand completions 'Print the completion script for SHELL'
            cand check 'Tell monitoring whether rotation and publication are healthy'
            cand serve 'Serve the public JWK Set over HTTP until SIGINT or SIGTERM'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'jwkctl;keygen'= {
            cand --alg 'Signing algorithm of the new key [default: RS256]'
            cand --bits 'RSA key size: 2048, 3072 or 4096 [default: 2048]'
            cand --kid 'Key id of the new key instead of its RFC 7638 thumbprint'
            cand --signer 'Keep the new key''s private half in OpenBao/Vault transit (transit:MOUNT/NAME, server and token from VAULT_*); the store holds its public half'
            cand --max-ttl 'The longest token lifetime `sign` will issue from this store'
            cand -k 'The key store: a file, or vault:MOUNT/PATH for a secret of an OpenBao or Vault KV version 2 engine'
            cand --keys 'The key store: a file, or vault:MOUNT/PATH for a secret of an OpenBao or Vault KV version 2 engine'
            cand --now 'Act as if the current time were TIME (RFC 3339 like 2026-01-02T03:04:05Z, or Unix seconds)'
            cand --force 'Replace an existing key store (its keys are lost)'
            cand -q 'No status lines on stderr (errors and rejections are still shown)'
            cand --quiet 'No status lines on stderr (errors and rejections are still shown)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'jwkctl;jwks'= {
            cand --out 'Replace FILE atomically (mode 0644, or FILE''s existing mode) instead of printing'
            cand -k 'The key store: a file, or vault:MOUNT/PATH for a secret of an OpenBao or Vault KV version 2 engine'
            cand --keys 'The key store: a file, or vault:MOUNT/PATH for a secret of an OpenBao or Vault KV version 2 engine'
            cand --now 'Act as if the current time were TIME (RFC 3339 like 2026-01-02T03:04:05Z, or Unix seconds)'
            cand -q 'No status lines on stderr (errors and rejections are still shown)'
            cand --quiet 'No status lines on stderr (errors and rejections are still shown)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'jwkctl;sign'= {
            cand --ttl 'Token lifetime (like 15m, 1h, 1d); at most the store''s max token lifetime [default: 1h, or that maximum when shorter]'
            cand --exp 'Expiry (exp) at TIME instead of now + --ttl; at most now + the store''s max token lifetime'
            cand --iat 'Issued-at time (iat) instead of now'
            cand --sub 'The subject claim (sub)'
            cand --iss 'The issuer claim (iss)'
            cand --aud 'An audience (aud); repeat for several, which makes aud an array'
            cand --nbf 'Not valid before TIME, or before now + DURATION (nbf)'
            cand --claim 'A claim NAME=VALUE; VALUE is parsed as JSON when it is valid JSON, else taken as a string (repeatable)'
            cand --claims 'Claims as a JSON object: inline, @FILE, or - for stdin'
            cand --kid 'Sign with this key (the active key or a pending one; a retired key is refused)'
            cand --count 'Print N tokens, one per line'
            cand -k 'The key store: a file, or vault:MOUNT/PATH for a secret of an OpenBao or Vault KV version 2 engine'
            cand --keys 'The key store: a file, or vault:MOUNT/PATH for a secret of an OpenBao or Vault KV version 2 engine'
            cand --now 'Act as if the current time were TIME (RFC 3339 like 2026-01-02T03:04:05Z, or Unix seconds)'
            cand --jti 'Add a random token id (jti), fresh for every token'
            cand -q 'No status lines on stderr (errors and rejections are still shown)'
            cand --quiet 'No status lines on stderr (errors and rejections are still shown)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'jwkctl;verify'= {
            cand --jwks 'Where the keys come from: a JWK Set or JWK file, or an https:// URL [default: the key store]'
            cand --ca-file 'Also trust the CA certificates in FILE (PEM) for an https:// --jwks URL'
            cand --alg 'Accept only this algorithm (repeatable)'
            cand --leeway 'Clock tolerance for exp and nbf'
            cand --iss 'Require this issuer (iss)'
            cand --sub 'Require this subject (sub)'
            cand --aud 'Accept this audience (repeatable: any one matching is enough); a token with aud needs one'
            cand --require 'Require this claim to be present (repeatable)'
            cand -k 'The key store: a file, or vault:MOUNT/PATH for a secret of an OpenBao or Vault KV version 2 engine'
            cand --keys 'The key store: a file, or vault:MOUNT/PATH for a secret of an OpenBao or Vault KV version 2 engine'
            cand --now 'Act as if the current time were TIME (RFC 3339 like 2026-01-02T03:04:05Z, or Unix seconds)'
            cand --allow-no-exp 'Accept tokens without exp'
            cand --batch 'Read one token per line from stdin (jwkctl verify --batch < FILE) and print one JSON result per line'
            cand -q 'No status lines on stderr (errors and rejections are still shown)'
            cand --quiet 'No status lines on stderr (errors and rejections are still shown)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'jwkctl;rotate'= {
            cand --kid 'Key id of the new key instead of its RFC 7638 thumbprint'
            cand --if-older-than 'Rotate only when the newest key was created more than DURATION ago; otherwise change nothing and exit 0'
            cand --publish-ahead 'Publish the new key now but sign with it only from now + DURATION'
            cand --max-ttl 'Change the store''s max token lifetime'
            cand --await-published 'Let the new key sign only once SOURCE (the file or URL verifiers fetch) lists it and its caches expired (repeatable)'
            cand --ca-file 'Also trust the CA certificates in FILE (PEM) for https:// --await-published URLs'
            cand --alg 'Signing algorithm of the new key [default: the active key''s]'
            cand --bits 'RSA key size: 2048, 3072 or 4096 [default: the active key''s size when it is RSA, else 2048]'
            cand --signer 'Keep the new key''s private half in OpenBao/Vault transit (transit:MOUNT/NAME, server and token from VAULT_*) [default: the active key''s signer]'
            cand -k 'The key store: a file, or vault:MOUNT/PATH for a secret of an OpenBao or Vault KV version 2 engine'
            cand --keys 'The key store: a file, or vault:MOUNT/PATH for a secret of an OpenBao or Vault KV version 2 engine'
            cand --now 'Act as if the current time were TIME (RFC 3339 like 2026-01-02T03:04:05Z, or Unix seconds)'
            cand --skip-await 'End the pending key''s wait for its --await-published sources: it signs from its signs_from, or now when that has passed'
            cand -q 'No status lines on stderr (errors and rejections are still shown)'
            cand --quiet 'No status lines on stderr (errors and rejections are still shown)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'jwkctl;prune'= {
            cand --older-than 'Remove keys retired for longer than DURATION (at least the default)'
            cand -k 'The key store: a file, or vault:MOUNT/PATH for a secret of an OpenBao or Vault KV version 2 engine'
            cand --keys 'The key store: a file, or vault:MOUNT/PATH for a secret of an OpenBao or Vault KV version 2 engine'
            cand --now 'Act as if the current time were TIME (RFC 3339 like 2026-01-02T03:04:05Z, or Unix seconds)'
            cand --dry-run 'Print what would be removed; change nothing'
            cand -q 'No status lines on stderr (errors and rejections are still shown)'
            cand --quiet 'No status lines on stderr (errors and rejections are still shown)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'jwkctl;revoke'= {
            cand -k 'The key store: a file, or vault:MOUNT/PATH for a secret of an OpenBao or Vault KV version 2 engine'
            cand --keys 'The key store: a file, or vault:MOUNT/PATH for a secret of an OpenBao or Vault KV version 2 engine'
            cand --now 'Act as if the current time were TIME (RFC 3339 like 2026-01-02T03:04:05Z, or Unix seconds)'
            cand -q 'No status lines on stderr (errors and rejections are still shown)'
            cand --quiet 'No status lines on stderr (errors and rejections are still shown)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'jwkctl;list'= {
            cand -k 'The key store: a file, or vault:MOUNT/PATH for a secret of an OpenBao or Vault KV version 2 engine'
            cand --keys 'The key store: a file, or vault:MOUNT/PATH for a secret of an OpenBao or Vault KV version 2 engine'
            cand --now 'Act as if the current time were TIME (RFC 3339 like 2026-01-02T03:04:05Z, or Unix seconds)'
            cand --json 'One JSON object per line, for monitoring'
            cand -q 'No status lines on stderr (errors and rejections are still shown)'
            cand --quiet 'No status lines on stderr (errors and rejections are still shown)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'jwkctl;inspect'= {
            cand -k 'The key store: a file, or vault:MOUNT/PATH for a secret of an OpenBao or Vault KV version 2 engine'
            cand --keys 'The key store: a file, or vault:MOUNT/PATH for a secret of an OpenBao or Vault KV version 2 engine'
            cand --now 'Act as if the current time were TIME (RFC 3339 like 2026-01-02T03:04:05Z, or Unix seconds)'
            cand -q 'No status lines on stderr (errors and rejections are still shown)'
            cand --quiet 'No status lines on stderr (errors and rejections are still shown)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'jwkctl;export'= {
            cand --out 'Write FILE atomically instead of printing: mode 0600 with --private, else 0644 (or FILE''s existing mode)'
            cand -k 'The key store: a file, or vault:MOUNT/PATH for a secret of an OpenBao or Vault KV version 2 engine'
            cand --keys 'The key store: a file, or vault:MOUNT/PATH for a secret of an OpenBao or Vault KV version 2 engine'
            cand --now 'Act as if the current time were TIME (RFC 3339 like 2026-01-02T03:04:05Z, or Unix seconds)'
            cand --pem 'PEM instead of a JWK: SPKI public key, or PKCS#8 with --private'
            cand --private 'Print the PRIVATE key (keep the output as secret as the store)'
            cand -q 'No status lines on stderr (errors and rejections are still shown)'
            cand --quiet 'No status lines on stderr (errors and rejections are still shown)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'jwkctl;import'= {
            cand --alg 'Signing algorithm; needed only where the key does not fix it [default: the JWK''s alg, else RS256 for RSA, ES256/ES384/ES512 by curve, EdDSA for Ed25519]'
            cand --kid 'Key id instead of the JWK''s kid or the RFC 7638 thumbprint'
            cand --publish-ahead 'Publish the key now but sign with it only from now + DURATION (pending)'
            cand -k 'The key store: a file, or vault:MOUNT/PATH for a secret of an OpenBao or Vault KV version 2 engine'
            cand --keys 'The key store: a file, or vault:MOUNT/PATH for a secret of an OpenBao or Vault KV version 2 engine'
            cand --now 'Act as if the current time were TIME (RFC 3339 like 2026-01-02T03:04:05Z, or Unix seconds)'
            cand -q 'No status lines on stderr (errors and rejections are still shown)'
            cand --quiet 'No status lines on stderr (errors and rejections are still shown)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'jwkctl;fixtures'= {
            cand --alg 'The algorithm of the kit''s key (the verifier''s)'
            cand --iss 'The issuer the verifier expects'
            cand --aud 'The audience the verifier expects'
            cand --ttl 'How long the valid token is valid, from now'
            cand -k 'The key store: a file, or vault:MOUNT/PATH for a secret of an OpenBao or Vault KV version 2 engine'
            cand --keys 'The key store: a file, or vault:MOUNT/PATH for a secret of an OpenBao or Vault KV version 2 engine'
            cand --now 'Act as if the current time were TIME (RFC 3339 like 2026-01-02T03:04:05Z, or Unix seconds)'
            cand -q 'No status lines on stderr (errors and rejections are still shown)'
            cand --quiet 'No status lines on stderr (errors and rejections are still shown)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'jwkctl;completions'= {
            cand -k 'The key store: a file, or vault:MOUNT/PATH for a secret of an OpenBao or Vault KV version 2 engine'
            cand --keys 'The key store: a file, or vault:MOUNT/PATH for a secret of an OpenBao or Vault KV version 2 engine'
            cand --now 'Act as if the current time were TIME (RFC 3339 like 2026-01-02T03:04:05Z, or Unix seconds)'
            cand -q 'No status lines on stderr (errors and rejections are still shown)'
            cand --quiet 'No status lines on stderr (errors and rejections are still shown)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'jwkctl;check'= {
            cand --published 'A published JWK Set to compare with the store: a file or an https:// URL (http:// for loopback hosts), fetched as verify --jwks does, 10 s each (repeatable)'
            cand --ca-file 'Also trust the CA certificates in FILE (PEM) for https:// --published URLs'
            cand --rotation-period 'How often the rotation job rotates (its --if-older-than); warn when the newest key is older than this plus 1 day and 2 hours, the margin of a daily job with a random delay'
            cand --cache-ttl 'How long caches may hold the published set (a CDN''s, a verifier''s; what serve --cache-ttl sends as max-age): a pending key missing from the set is critical when it signs within this'
            cand --format 'Output format: text lines, JSON lines, or Prometheus text exposition'
            cand --out 'Replace FILE atomically (mode 0644) instead of printing, e.g. for node_exporter''s textfile collector'
            cand -k 'The key store: a file, or vault:MOUNT/PATH for a secret of an OpenBao or Vault KV version 2 engine'
            cand --keys 'The key store: a file, or vault:MOUNT/PATH for a secret of an OpenBao or Vault KV version 2 engine'
            cand --now 'Act as if the current time were TIME (RFC 3339 like 2026-01-02T03:04:05Z, or Unix seconds)'
            cand -q 'No status lines on stderr (errors and rejections are still shown)'
            cand --quiet 'No status lines on stderr (errors and rejections are still shown)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'jwkctl;serve'= {
            cand --listen 'Listen on ADDR (IP:PORT; port 0 picks a free port, shown on stderr)'
            cand --issuer 'Also serve /.well-known/openid-configuration for this issuer (an https:// or http:// URL)'
            cand --cache-ttl 'How long caches may hold the published set: sent as Cache-Control max-age (keep it below the --publish-ahead of your rotations; give check --cache-ttl the same)'
            cand -k 'The key store: a file, or vault:MOUNT/PATH for a secret of an OpenBao or Vault KV version 2 engine'
            cand --keys 'The key store: a file, or vault:MOUNT/PATH for a secret of an OpenBao or Vault KV version 2 engine'
            cand --now 'Act as if the current time were TIME (RFC 3339 like 2026-01-02T03:04:05Z, or Unix seconds)'
            cand -q 'No status lines on stderr (errors and rejections are still shown)'
            cand --quiet 'No status lines on stderr (errors and rejections are still shown)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'jwkctl;help'= {
            cand keygen 'Create the key store with one active signing key, and print its kid'
            cand jwks 'Print the public JWK Set: every key a verifier must accept now'
            cand sign 'Print a signed JWT (compact JWS) from the active key'
            cand verify 'Verify a token and print its claims as one JSON line'
            cand rotate 'Add a new signing key and print its kid'
            cand prune 'Remove keys retired for longer than the grace period, printing each kid'
            cand revoke 'Remove a key at once (the emergency path)'
            cand list 'Show every key: kid, alg, state, created, signs from, retired, prunable after'
            cand inspect 'Decode a token WITHOUT verifying it and print {"header":..,"claims":..}'
            cand export 'Print one key of the store: a public JWK, or SPKI PEM with --pem'
            cand import 'Add a private key from a PEM or JWK file as a new key, and print its kid'
            cand fixtures 'Write a test kit for a JWT verifier: a JWK Set, tokens and a manifest'
            cand completions 'Print the completion script for SHELL'
            cand check 'Tell monitoring whether rotation and publication are healthy'
            cand serve 'Serve the public JWK Set over HTTP until SIGINT or SIGTERM'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'jwkctl;help;keygen'= {
        }
        &'jwkctl;help;jwks'= {
        }
        &'jwkctl;help;sign'= {
        }
        &'jwkctl;help;verify'= {
        }
        &'jwkctl;help;rotate'= {
        }
        &'jwkctl;help;prune'= {
        }
        &'jwkctl;help;revoke'= {
        }
        &'jwkctl;help;list'= {
        }
        &'jwkctl;help;inspect'= {
        }
        &'jwkctl;help;export'= {
        }
        &'jwkctl;help;import'= {
        }
        &'jwkctl;help;fixtures'= {
        }
        &'jwkctl;help;completions'= {
        }
        &'jwkctl;help;check'= {
        }
        &'jwkctl;help;serve'= {
        }
        &'jwkctl;help;help'= {
        }
    ]
    $completions[$command]
}
