
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'jwkctl' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'jwkctl'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'jwkctl' {
            [CompletionResult]::new('-k', '-k', [CompletionResultType]::ParameterName, 'The key store: a file, or vault:MOUNT/PATH for a secret of an OpenBao or Vault KV version 2 engine')
            [CompletionResult]::new('--keys', '--keys', [CompletionResultType]::ParameterName, 'The key store: a file, or vault:MOUNT/PATH for a secret of an OpenBao or Vault KV version 2 engine')
            [CompletionResult]::new('--now', '--now', [CompletionResultType]::ParameterName, 'Act as if the current time were TIME (RFC 3339 like 2026-01-02T03:04:05Z, or Unix seconds)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No status lines on stderr (errors and rejections are still shown)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No status lines on stderr (errors and rejections are still shown)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('keygen', 'keygen', [CompletionResultType]::ParameterValue, 'Create the key store with one active signing key, and print its kid')
            [CompletionResult]::new('jwks', 'jwks', [CompletionResultType]::ParameterValue, 'Print the public JWK Set: every key a verifier must accept now')
            [CompletionResult]::new('sign', 'sign', [CompletionResultType]::ParameterValue, 'Print a signed JWT (compact JWS) from the active key')
            [CompletionResult]::new('verify', 'verify', [CompletionResultType]::ParameterValue, 'Verify a token and print its claims as one JSON line')
            [CompletionResult]::new('rotate', 'rotate', [CompletionResultType]::ParameterValue, 'Add a new signing key and print its kid')
            [CompletionResult]::new('prune', 'prune', [CompletionResultType]::ParameterValue, 'Remove keys retired for longer than the grace period, printing each kid')
            [CompletionResult]::new('revoke', 'revoke', [CompletionResultType]::ParameterValue, 'Remove a key at once (the emergency path)')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'Show every key: kid, alg, state, created, signs from, retired, prunable after')
            [CompletionResult]::new('inspect', 'inspect', [CompletionResultType]::ParameterValue, 'Decode a token WITHOUT verifying it and print {"header":..,"claims":..}')
            [CompletionResult]::new('export', 'export', [CompletionResultType]::ParameterValue, 'Print one key of the store: a public JWK, or SPKI PEM with --pem')
            [CompletionResult]::new('import', 'import', [CompletionResultType]::ParameterValue, 'Add a private key from a PEM or JWK file as a new key, and print its kid')
            [CompletionResult]::new('fixtures', 'fixtures', [CompletionResultType]::ParameterValue, 'Write a test kit for a JWT verifier: a JWK Set, tokens and a manifest')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print the completion script for SHELL')
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Tell monitoring whether rotation and publication are healthy')
            [CompletionResult]::new('serve', 'serve', [CompletionResultType]::ParameterValue, 'Serve the public JWK Set over HTTP until SIGINT or SIGTERM')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'jwkctl;keygen' {
            [CompletionResult]::new('--alg', '--alg', [CompletionResultType]::ParameterName, 'Signing algorithm of the new key [default: RS256]')
            [CompletionResult]::new('--bits', '--bits', [CompletionResultType]::ParameterName, 'RSA key size: 2048, 3072 or 4096 [default: 2048]')
            [CompletionResult]::new('--kid', '--kid', [CompletionResultType]::ParameterName, 'Key id of the new key instead of its RFC 7638 thumbprint')
            [CompletionResult]::new('--signer', '--signer', [CompletionResultType]::ParameterName, 'Keep the new key''s private half in OpenBao/Vault transit (transit:MOUNT/NAME, server and token from VAULT_*); the store holds its public half')
            [CompletionResult]::new('--max-ttl', '--max-ttl', [CompletionResultType]::ParameterName, 'The longest token lifetime `sign` will issue from this store')
            [CompletionResult]::new('-k', '-k', [CompletionResultType]::ParameterName, 'The key store: a file, or vault:MOUNT/PATH for a secret of an OpenBao or Vault KV version 2 engine')
            [CompletionResult]::new('--keys', '--keys', [CompletionResultType]::ParameterName, 'The key store: a file, or vault:MOUNT/PATH for a secret of an OpenBao or Vault KV version 2 engine')
            [CompletionResult]::new('--now', '--now', [CompletionResultType]::ParameterName, 'Act as if the current time were TIME (RFC 3339 like 2026-01-02T03:04:05Z, or Unix seconds)')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Replace an existing key store (its keys are lost)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No status lines on stderr (errors and rejections are still shown)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No status lines on stderr (errors and rejections are still shown)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'jwkctl;jwks' {
            [CompletionResult]::new('--out', '--out', [CompletionResultType]::ParameterName, 'Replace FILE atomically (mode 0644, or FILE''s existing mode) instead of printing')
            [CompletionResult]::new('-k', '-k', [CompletionResultType]::ParameterName, 'The key store: a file, or vault:MOUNT/PATH for a secret of an OpenBao or Vault KV version 2 engine')
            [CompletionResult]::new('--keys', '--keys', [CompletionResultType]::ParameterName, 'The key store: a file, or vault:MOUNT/PATH for a secret of an OpenBao or Vault KV version 2 engine')
            [CompletionResult]::new('--now', '--now', [CompletionResultType]::ParameterName, 'Act as if the current time were TIME (RFC 3339 like 2026-01-02T03:04:05Z, or Unix seconds)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No status lines on stderr (errors and rejections are still shown)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No status lines on stderr (errors and rejections are still shown)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'jwkctl;sign' {
            [CompletionResult]::new('--ttl', '--ttl', [CompletionResultType]::ParameterName, 'Token lifetime (like 15m, 1h, 1d); at most the store''s max token lifetime [default: 1h, or that maximum when shorter]')
            [CompletionResult]::new('--exp', '--exp', [CompletionResultType]::ParameterName, 'Expiry (exp) at TIME instead of now + --ttl; at most now + the store''s max token lifetime')
            [CompletionResult]::new('--iat', '--iat', [CompletionResultType]::ParameterName, 'Issued-at time (iat) instead of now')
            [CompletionResult]::new('--sub', '--sub', [CompletionResultType]::ParameterName, 'The subject claim (sub)')
            [CompletionResult]::new('--iss', '--iss', [CompletionResultType]::ParameterName, 'The issuer claim (iss)')
            [CompletionResult]::new('--aud', '--aud', [CompletionResultType]::ParameterName, 'An audience (aud); repeat for several, which makes aud an array')
            [CompletionResult]::new('--nbf', '--nbf', [CompletionResultType]::ParameterName, 'Not valid before TIME, or before now + DURATION (nbf)')
            [CompletionResult]::new('--claim', '--claim', [CompletionResultType]::ParameterName, 'A claim NAME=VALUE; VALUE is parsed as JSON when it is valid JSON, else taken as a string (repeatable)')
            [CompletionResult]::new('--claims', '--claims', [CompletionResultType]::ParameterName, 'Claims as a JSON object: inline, @FILE, or - for stdin')
            [CompletionResult]::new('--kid', '--kid', [CompletionResultType]::ParameterName, 'Sign with this key (the active key or a pending one; a retired key is refused)')
            [CompletionResult]::new('--count', '--count', [CompletionResultType]::ParameterName, 'Print N tokens, one per line')
            [CompletionResult]::new('-k', '-k', [CompletionResultType]::ParameterName, 'The key store: a file, or vault:MOUNT/PATH for a secret of an OpenBao or Vault KV version 2 engine')
            [CompletionResult]::new('--keys', '--keys', [CompletionResultType]::ParameterName, 'The key store: a file, or vault:MOUNT/PATH for a secret of an OpenBao or Vault KV version 2 engine')
            [CompletionResult]::new('--now', '--now', [CompletionResultType]::ParameterName, 'Act as if the current time were TIME (RFC 3339 like 2026-01-02T03:04:05Z, or Unix seconds)')
            [CompletionResult]::new('--jti', '--jti', [CompletionResultType]::ParameterName, 'Add a random token id (jti), fresh for every token')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No status lines on stderr (errors and rejections are still shown)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No status lines on stderr (errors and rejections are still shown)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'jwkctl;verify' {
            [CompletionResult]::new('--jwks', '--jwks', [CompletionResultType]::ParameterName, 'Where the keys come from: a JWK Set or JWK file, or an https:// URL [default: the key store]')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'Also trust the CA certificates in FILE (PEM) for an https:// --jwks URL')
            [CompletionResult]::new('--alg', '--alg', [CompletionResultType]::ParameterName, 'Accept only this algorithm (repeatable)')
            [CompletionResult]::new('--leeway', '--leeway', [CompletionResultType]::ParameterName, 'Clock tolerance for exp and nbf')
            [CompletionResult]::new('--iss', '--iss', [CompletionResultType]::ParameterName, 'Require this issuer (iss)')
            [CompletionResult]::new('--sub', '--sub', [CompletionResultType]::ParameterName, 'Require this subject (sub)')
            [CompletionResult]::new('--aud', '--aud', [CompletionResultType]::ParameterName, 'Accept this audience (repeatable: any one matching is enough); a token with aud needs one')
            [CompletionResult]::new('--require', '--require', [CompletionResultType]::ParameterName, 'Require this claim to be present (repeatable)')
            [CompletionResult]::new('-k', '-k', [CompletionResultType]::ParameterName, 'The key store: a file, or vault:MOUNT/PATH for a secret of an OpenBao or Vault KV version 2 engine')
            [CompletionResult]::new('--keys', '--keys', [CompletionResultType]::ParameterName, 'The key store: a file, or vault:MOUNT/PATH for a secret of an OpenBao or Vault KV version 2 engine')
            [CompletionResult]::new('--now', '--now', [CompletionResultType]::ParameterName, 'Act as if the current time were TIME (RFC 3339 like 2026-01-02T03:04:05Z, or Unix seconds)')
            [CompletionResult]::new('--allow-no-exp', '--allow-no-exp', [CompletionResultType]::ParameterName, 'Accept tokens without exp')
            [CompletionResult]::new('--batch', '--batch', [CompletionResultType]::ParameterName, 'Read one token per line from stdin (jwkctl verify --batch < FILE) and print one JSON result per line')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No status lines on stderr (errors and rejections are still shown)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No status lines on stderr (errors and rejections are still shown)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'jwkctl;rotate' {
            [CompletionResult]::new('--kid', '--kid', [CompletionResultType]::ParameterName, 'Key id of the new key instead of its RFC 7638 thumbprint')
            [CompletionResult]::new('--if-older-than', '--if-older-than', [CompletionResultType]::ParameterName, 'Rotate only when the newest key was created more than DURATION ago; otherwise change nothing and exit 0')
            [CompletionResult]::new('--publish-ahead', '--publish-ahead', [CompletionResultType]::ParameterName, 'Publish the new key now but sign with it only from now + DURATION')
            [CompletionResult]::new('--max-ttl', '--max-ttl', [CompletionResultType]::ParameterName, 'Change the store''s max token lifetime')
            [CompletionResult]::new('--await-published', '--await-published', [CompletionResultType]::ParameterName, 'Let the new key sign only once SOURCE (the file or URL verifiers fetch) lists it and its caches expired (repeatable)')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'Also trust the CA certificates in FILE (PEM) for https:// --await-published URLs')
            [CompletionResult]::new('--alg', '--alg', [CompletionResultType]::ParameterName, 'Signing algorithm of the new key [default: the active key''s]')
            [CompletionResult]::new('--bits', '--bits', [CompletionResultType]::ParameterName, 'RSA key size: 2048, 3072 or 4096 [default: the active key''s size when it is RSA, else 2048]')
            [CompletionResult]::new('--signer', '--signer', [CompletionResultType]::ParameterName, 'Keep the new key''s private half in OpenBao/Vault transit (transit:MOUNT/NAME, server and token from VAULT_*) [default: the active key''s signer]')
            [CompletionResult]::new('-k', '-k', [CompletionResultType]::ParameterName, 'The key store: a file, or vault:MOUNT/PATH for a secret of an OpenBao or Vault KV version 2 engine')
            [CompletionResult]::new('--keys', '--keys', [CompletionResultType]::ParameterName, 'The key store: a file, or vault:MOUNT/PATH for a secret of an OpenBao or Vault KV version 2 engine')
            [CompletionResult]::new('--now', '--now', [CompletionResultType]::ParameterName, 'Act as if the current time were TIME (RFC 3339 like 2026-01-02T03:04:05Z, or Unix seconds)')
            [CompletionResult]::new('--skip-await', '--skip-await', [CompletionResultType]::ParameterName, 'End the pending key''s wait for its --await-published sources: it signs from its signs_from, or now when that has passed')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No status lines on stderr (errors and rejections are still shown)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No status lines on stderr (errors and rejections are still shown)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'jwkctl;prune' {
            [CompletionResult]::new('--older-than', '--older-than', [CompletionResultType]::ParameterName, 'Remove keys retired for longer than DURATION (at least the default)')
            [CompletionResult]::new('-k', '-k', [CompletionResultType]::ParameterName, 'The key store: a file, or vault:MOUNT/PATH for a secret of an OpenBao or Vault KV version 2 engine')
            [CompletionResult]::new('--keys', '--keys', [CompletionResultType]::ParameterName, 'The key store: a file, or vault:MOUNT/PATH for a secret of an OpenBao or Vault KV version 2 engine')
            [CompletionResult]::new('--now', '--now', [CompletionResultType]::ParameterName, 'Act as if the current time were TIME (RFC 3339 like 2026-01-02T03:04:05Z, or Unix seconds)')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Print what would be removed; change nothing')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No status lines on stderr (errors and rejections are still shown)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No status lines on stderr (errors and rejections are still shown)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'jwkctl;revoke' {
            [CompletionResult]::new('-k', '-k', [CompletionResultType]::ParameterName, 'The key store: a file, or vault:MOUNT/PATH for a secret of an OpenBao or Vault KV version 2 engine')
            [CompletionResult]::new('--keys', '--keys', [CompletionResultType]::ParameterName, 'The key store: a file, or vault:MOUNT/PATH for a secret of an OpenBao or Vault KV version 2 engine')
            [CompletionResult]::new('--now', '--now', [CompletionResultType]::ParameterName, 'Act as if the current time were TIME (RFC 3339 like 2026-01-02T03:04:05Z, or Unix seconds)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No status lines on stderr (errors and rejections are still shown)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No status lines on stderr (errors and rejections are still shown)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'jwkctl;list' {
            [CompletionResult]::new('-k', '-k', [CompletionResultType]::ParameterName, 'The key store: a file, or vault:MOUNT/PATH for a secret of an OpenBao or Vault KV version 2 engine')
            [CompletionResult]::new('--keys', '--keys', [CompletionResultType]::ParameterName, 'The key store: a file, or vault:MOUNT/PATH for a secret of an OpenBao or Vault KV version 2 engine')
            [CompletionResult]::new('--now', '--now', [CompletionResultType]::ParameterName, 'Act as if the current time were TIME (RFC 3339 like 2026-01-02T03:04:05Z, or Unix seconds)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'One JSON object per line, for monitoring')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No status lines on stderr (errors and rejections are still shown)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No status lines on stderr (errors and rejections are still shown)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'jwkctl;inspect' {
            [CompletionResult]::new('-k', '-k', [CompletionResultType]::ParameterName, 'The key store: a file, or vault:MOUNT/PATH for a secret of an OpenBao or Vault KV version 2 engine')
            [CompletionResult]::new('--keys', '--keys', [CompletionResultType]::ParameterName, 'The key store: a file, or vault:MOUNT/PATH for a secret of an OpenBao or Vault KV version 2 engine')
            [CompletionResult]::new('--now', '--now', [CompletionResultType]::ParameterName, 'Act as if the current time were TIME (RFC 3339 like 2026-01-02T03:04:05Z, or Unix seconds)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No status lines on stderr (errors and rejections are still shown)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No status lines on stderr (errors and rejections are still shown)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'jwkctl;export' {
            [CompletionResult]::new('--out', '--out', [CompletionResultType]::ParameterName, 'Write FILE atomically instead of printing: mode 0600 with --private, else 0644 (or FILE''s existing mode)')
            [CompletionResult]::new('-k', '-k', [CompletionResultType]::ParameterName, 'The key store: a file, or vault:MOUNT/PATH for a secret of an OpenBao or Vault KV version 2 engine')
            [CompletionResult]::new('--keys', '--keys', [CompletionResultType]::ParameterName, 'The key store: a file, or vault:MOUNT/PATH for a secret of an OpenBao or Vault KV version 2 engine')
            [CompletionResult]::new('--now', '--now', [CompletionResultType]::ParameterName, 'Act as if the current time were TIME (RFC 3339 like 2026-01-02T03:04:05Z, or Unix seconds)')
            [CompletionResult]::new('--pem', '--pem', [CompletionResultType]::ParameterName, 'PEM instead of a JWK: SPKI public key, or PKCS#8 with --private')
            [CompletionResult]::new('--private', '--private', [CompletionResultType]::ParameterName, 'Print the PRIVATE key (keep the output as secret as the store)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No status lines on stderr (errors and rejections are still shown)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No status lines on stderr (errors and rejections are still shown)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'jwkctl;import' {
            [CompletionResult]::new('--alg', '--alg', [CompletionResultType]::ParameterName, 'Signing algorithm; needed only where the key does not fix it [default: the JWK''s alg, else RS256 for RSA, ES256/ES384/ES512 by curve, EdDSA for Ed25519]')
            [CompletionResult]::new('--kid', '--kid', [CompletionResultType]::ParameterName, 'Key id instead of the JWK''s kid or the RFC 7638 thumbprint')
            [CompletionResult]::new('--publish-ahead', '--publish-ahead', [CompletionResultType]::ParameterName, 'Publish the key now but sign with it only from now + DURATION (pending)')
            [CompletionResult]::new('-k', '-k', [CompletionResultType]::ParameterName, 'The key store: a file, or vault:MOUNT/PATH for a secret of an OpenBao or Vault KV version 2 engine')
            [CompletionResult]::new('--keys', '--keys', [CompletionResultType]::ParameterName, 'The key store: a file, or vault:MOUNT/PATH for a secret of an OpenBao or Vault KV version 2 engine')
            [CompletionResult]::new('--now', '--now', [CompletionResultType]::ParameterName, 'Act as if the current time were TIME (RFC 3339 like 2026-01-02T03:04:05Z, or Unix seconds)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No status lines on stderr (errors and rejections are still shown)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No status lines on stderr (errors and rejections are still shown)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'jwkctl;fixtures' {
            [CompletionResult]::new('--alg', '--alg', [CompletionResultType]::ParameterName, 'The algorithm of the kit''s key (the verifier''s)')
            [CompletionResult]::new('--iss', '--iss', [CompletionResultType]::ParameterName, 'The issuer the verifier expects')
            [CompletionResult]::new('--aud', '--aud', [CompletionResultType]::ParameterName, 'The audience the verifier expects')
            [CompletionResult]::new('--ttl', '--ttl', [CompletionResultType]::ParameterName, 'How long the valid token is valid, from now')
            [CompletionResult]::new('-k', '-k', [CompletionResultType]::ParameterName, 'The key store: a file, or vault:MOUNT/PATH for a secret of an OpenBao or Vault KV version 2 engine')
            [CompletionResult]::new('--keys', '--keys', [CompletionResultType]::ParameterName, 'The key store: a file, or vault:MOUNT/PATH for a secret of an OpenBao or Vault KV version 2 engine')
            [CompletionResult]::new('--now', '--now', [CompletionResultType]::ParameterName, 'Act as if the current time were TIME (RFC 3339 like 2026-01-02T03:04:05Z, or Unix seconds)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No status lines on stderr (errors and rejections are still shown)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No status lines on stderr (errors and rejections are still shown)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'jwkctl;completions' {
            [CompletionResult]::new('-k', '-k', [CompletionResultType]::ParameterName, 'The key store: a file, or vault:MOUNT/PATH for a secret of an OpenBao or Vault KV version 2 engine')
            [CompletionResult]::new('--keys', '--keys', [CompletionResultType]::ParameterName, 'The key store: a file, or vault:MOUNT/PATH for a secret of an OpenBao or Vault KV version 2 engine')
            [CompletionResult]::new('--now', '--now', [CompletionResultType]::ParameterName, 'Act as if the current time were TIME (RFC 3339 like 2026-01-02T03:04:05Z, or Unix seconds)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No status lines on stderr (errors and rejections are still shown)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No status lines on stderr (errors and rejections are still shown)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'jwkctl;check' {
            [CompletionResult]::new('--published', '--published', [CompletionResultType]::ParameterName, 'A published JWK Set to compare with the store: a file or an https:// URL (http:// for loopback hosts), fetched as verify --jwks does, 10 s each (repeatable)')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'Also trust the CA certificates in FILE (PEM) for https:// --published URLs')
            [CompletionResult]::new('--rotation-period', '--rotation-period', [CompletionResultType]::ParameterName, 'How often the rotation job rotates (its --if-older-than); warn when the newest key is older than this plus 1 day and 2 hours, the margin of a daily job with a random delay')
            [CompletionResult]::new('--cache-ttl', '--cache-ttl', [CompletionResultType]::ParameterName, 'How long caches may hold the published set (a CDN''s, a verifier''s; what serve --cache-ttl sends as max-age): a pending key missing from the set is critical when it signs within this')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: text lines, JSON lines, or Prometheus text exposition')
            [CompletionResult]::new('--out', '--out', [CompletionResultType]::ParameterName, 'Replace FILE atomically (mode 0644) instead of printing, e.g. for node_exporter''s textfile collector')
            [CompletionResult]::new('-k', '-k', [CompletionResultType]::ParameterName, 'The key store: a file, or vault:MOUNT/PATH for a secret of an OpenBao or Vault KV version 2 engine')
            [CompletionResult]::new('--keys', '--keys', [CompletionResultType]::ParameterName, 'The key store: a file, or vault:MOUNT/PATH for a secret of an OpenBao or Vault KV version 2 engine')
            [CompletionResult]::new('--now', '--now', [CompletionResultType]::ParameterName, 'Act as if the current time were TIME (RFC 3339 like 2026-01-02T03:04:05Z, or Unix seconds)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No status lines on stderr (errors and rejections are still shown)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No status lines on stderr (errors and rejections are still shown)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'jwkctl;serve' {
            [CompletionResult]::new('--listen', '--listen', [CompletionResultType]::ParameterName, 'Listen on ADDR (IP:PORT; port 0 picks a free port, shown on stderr)')
            [CompletionResult]::new('--issuer', '--issuer', [CompletionResultType]::ParameterName, 'Also serve /.well-known/openid-configuration for this issuer (an https:// or http:// URL)')
            [CompletionResult]::new('--cache-ttl', '--cache-ttl', [CompletionResultType]::ParameterName, 'How long caches may hold the published set: sent as Cache-Control max-age (keep it below the --publish-ahead of your rotations; give check --cache-ttl the same)')
            [CompletionResult]::new('-k', '-k', [CompletionResultType]::ParameterName, 'The key store: a file, or vault:MOUNT/PATH for a secret of an OpenBao or Vault KV version 2 engine')
            [CompletionResult]::new('--keys', '--keys', [CompletionResultType]::ParameterName, 'The key store: a file, or vault:MOUNT/PATH for a secret of an OpenBao or Vault KV version 2 engine')
            [CompletionResult]::new('--now', '--now', [CompletionResultType]::ParameterName, 'Act as if the current time were TIME (RFC 3339 like 2026-01-02T03:04:05Z, or Unix seconds)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No status lines on stderr (errors and rejections are still shown)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No status lines on stderr (errors and rejections are still shown)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'jwkctl;help' {
            [CompletionResult]::new('keygen', 'keygen', [CompletionResultType]::ParameterValue, 'Create the key store with one active signing key, and print its kid')
            [CompletionResult]::new('jwks', 'jwks', [CompletionResultType]::ParameterValue, 'Print the public JWK Set: every key a verifier must accept now')
            [CompletionResult]::new('sign', 'sign', [CompletionResultType]::ParameterValue, 'Print a signed JWT (compact JWS) from the active key')
            [CompletionResult]::new('verify', 'verify', [CompletionResultType]::ParameterValue, 'Verify a token and print its claims as one JSON line')
            [CompletionResult]::new('rotate', 'rotate', [CompletionResultType]::ParameterValue, 'Add a new signing key and print its kid')
            [CompletionResult]::new('prune', 'prune', [CompletionResultType]::ParameterValue, 'Remove keys retired for longer than the grace period, printing each kid')
            [CompletionResult]::new('revoke', 'revoke', [CompletionResultType]::ParameterValue, 'Remove a key at once (the emergency path)')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'Show every key: kid, alg, state, created, signs from, retired, prunable after')
            [CompletionResult]::new('inspect', 'inspect', [CompletionResultType]::ParameterValue, 'Decode a token WITHOUT verifying it and print {"header":..,"claims":..}')
            [CompletionResult]::new('export', 'export', [CompletionResultType]::ParameterValue, 'Print one key of the store: a public JWK, or SPKI PEM with --pem')
            [CompletionResult]::new('import', 'import', [CompletionResultType]::ParameterValue, 'Add a private key from a PEM or JWK file as a new key, and print its kid')
            [CompletionResult]::new('fixtures', 'fixtures', [CompletionResultType]::ParameterValue, 'Write a test kit for a JWT verifier: a JWK Set, tokens and a manifest')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print the completion script for SHELL')
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Tell monitoring whether rotation and publication are healthy')
            [CompletionResult]::new('serve', 'serve', [CompletionResultType]::ParameterValue, 'Serve the public JWK Set over HTTP until SIGINT or SIGTERM')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'jwkctl;help;keygen' {
            break
        }
        'jwkctl;help;jwks' {
            break
        }
        'jwkctl;help;sign' {
            break
        }
        'jwkctl;help;verify' {
            break
        }
        'jwkctl;help;rotate' {
            break
        }
        'jwkctl;help;prune' {
            break
        }
        'jwkctl;help;revoke' {
            break
        }
        'jwkctl;help;list' {
            break
        }
        'jwkctl;help;inspect' {
            break
        }
        'jwkctl;help;export' {
            break
        }
        'jwkctl;help;import' {
            break
        }
        'jwkctl;help;fixtures' {
            break
        }
        'jwkctl;help;completions' {
            break
        }
        'jwkctl;help;check' {
            break
        }
        'jwkctl;help;serve' {
            break
        }
        'jwkctl;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
