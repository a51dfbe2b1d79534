# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_jwkctl_global_optspecs
    string join \n k/keys= now= q/quiet h/help V/version
end

function __fish_jwkctl_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_jwkctl_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_jwkctl_using_subcommand
    set -l cmd (__fish_jwkctl_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c jwkctl -n "__fish_jwkctl_needs_command" -s k -l keys -d 'The key store: a file, or vault:MOUNT/PATH for a secret of an OpenBao or Vault KV version 2 engine' -r -F
complete -c jwkctl -n "__fish_jwkctl_needs_command" -l now -d 'Act as if the current time were TIME (RFC 3339 like 2026-01-02T03:04:05Z, or Unix seconds)' -r
complete -c jwkctl -n "__fish_jwkctl_needs_command" -s q -l quiet -d 'No status lines on stderr (errors and rejections are still shown)'
complete -c jwkctl -n "__fish_jwkctl_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c jwkctl -n "__fish_jwkctl_needs_command" -s V -l version -d 'Print version'
complete -c jwkctl -n "__fish_jwkctl_needs_command" -f -a "keygen" -d 'Create the key store with one active signing key, and print its kid'
complete -c jwkctl -n "__fish_jwkctl_needs_command" -f -a "jwks" -d 'Print the public JWK Set: every key a verifier must accept now'
complete -c jwkctl -n "__fish_jwkctl_needs_command" -f -a "sign" -d 'Print a signed JWT (compact JWS) from the active key'
complete -c jwkctl -n "__fish_jwkctl_needs_command" -f -a "verify" -d 'Verify a token and print its claims as one JSON line'
complete -c jwkctl -n "__fish_jwkctl_needs_command" -f -a "rotate" -d 'Add a new signing key and print its kid'
complete -c jwkctl -n "__fish_jwkctl_needs_command" -f -a "prune" -d 'Remove keys retired for longer than the grace period, printing each kid'
complete -c jwkctl -n "__fish_jwkctl_needs_command" -f -a "revoke" -d 'Remove a key at once (the emergency path)'
complete -c jwkctl -n "__fish_jwkctl_needs_command" -f -a "list" -d 'Show every key: kid, alg, state, created, signs from, retired, prunable after'
complete -c jwkctl -n "__fish_jwkctl_needs_command" -f -a "inspect" -d 'Decode a token WITHOUT verifying it and print {"header":..,"claims":..}'
complete -c jwkctl -n "__fish_jwkctl_needs_command" -f -a "export" -d 'Print one key of the store: a public JWK, or SPKI PEM with --pem'
complete -c jwkctl -n "__fish_jwkctl_needs_command" -f -a "import" -d 'Add a private key from a PEM or JWK file as a new key, and print its kid'
complete -c jwkctl -n "__fish_jwkctl_needs_command" -f -a "fixtures" -d 'Write a test kit for a JWT verifier: a JWK Set, tokens and a manifest'
complete -c jwkctl -n "__fish_jwkctl_needs_command" -f -a "completions" -d 'Print the completion script for SHELL'
complete -c jwkctl -n "__fish_jwkctl_needs_command" -f -a "check" -d 'Tell monitoring whether rotation and publication are healthy'
complete -c jwkctl -n "__fish_jwkctl_needs_command" -f -a "serve" -d 'Serve the public JWK Set over HTTP until SIGINT or SIGTERM'
complete -c jwkctl -n "__fish_jwkctl_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c jwkctl -n "__fish_jwkctl_using_subcommand keygen" -l alg -d 'Signing algorithm of the new key [default: RS256]' -r -f -a "RS256\t''
RS384\t''
RS512\t''
PS256\t''
PS384\t''
PS512\t''
ES256\t''
ES384\t''
ES512\t''
EdDSA\t''"
complete -c jwkctl -n "__fish_jwkctl_using_subcommand keygen" -l bits -d 'RSA key size: 2048, 3072 or 4096 [default: 2048]' -r
complete -c jwkctl -n "__fish_jwkctl_using_subcommand keygen" -l kid -d 'Key id of the new key instead of its RFC 7638 thumbprint' -r
complete -c jwkctl -n "__fish_jwkctl_using_subcommand keygen" -l signer -d 'Keep the new key\'s private half in OpenBao/Vault transit (transit:MOUNT/NAME, server and token from VAULT_*); the store holds its public half' -r
complete -c jwkctl -n "__fish_jwkctl_using_subcommand keygen" -l max-ttl -d 'The longest token lifetime `sign` will issue from this store' -r
complete -c jwkctl -n "__fish_jwkctl_using_subcommand keygen" -s k -l keys -d 'The key store: a file, or vault:MOUNT/PATH for a secret of an OpenBao or Vault KV version 2 engine' -r -F
complete -c jwkctl -n "__fish_jwkctl_using_subcommand keygen" -l now -d 'Act as if the current time were TIME (RFC 3339 like 2026-01-02T03:04:05Z, or Unix seconds)' -r
complete -c jwkctl -n "__fish_jwkctl_using_subcommand keygen" -l force -d 'Replace an existing key store (its keys are lost)'
complete -c jwkctl -n "__fish_jwkctl_using_subcommand keygen" -s q -l quiet -d 'No status lines on stderr (errors and rejections are still shown)'
complete -c jwkctl -n "__fish_jwkctl_using_subcommand keygen" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c jwkctl -n "__fish_jwkctl_using_subcommand keygen" -s V -l version -d 'Print version'
complete -c jwkctl -n "__fish_jwkctl_using_subcommand jwks" -l out -d 'Replace FILE atomically (mode 0644, or FILE\'s existing mode) instead of printing' -r -F
complete -c jwkctl -n "__fish_jwkctl_using_subcommand jwks" -s k -l keys -d 'The key store: a file, or vault:MOUNT/PATH for a secret of an OpenBao or Vault KV version 2 engine' -r -F
complete -c jwkctl -n "__fish_jwkctl_using_subcommand jwks" -l now -d 'Act as if the current time were TIME (RFC 3339 like 2026-01-02T03:04:05Z, or Unix seconds)' -r
complete -c jwkctl -n "__fish_jwkctl_using_subcommand jwks" -s q -l quiet -d 'No status lines on stderr (errors and rejections are still shown)'
complete -c jwkctl -n "__fish_jwkctl_using_subcommand jwks" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c jwkctl -n "__fish_jwkctl_using_subcommand jwks" -s V -l version -d 'Print version'
complete -c jwkctl -n "__fish_jwkctl_using_subcommand sign" -l ttl -d 'Token lifetime (like 15m, 1h, 1d); at most the store\'s max token lifetime [default: 1h, or that maximum when shorter]' -r
complete -c jwkctl -n "__fish_jwkctl_using_subcommand sign" -l exp -d 'Expiry (exp) at TIME instead of now + --ttl; at most now + the store\'s max token lifetime' -r
complete -c jwkctl -n "__fish_jwkctl_using_subcommand sign" -l iat -d 'Issued-at time (iat) instead of now' -r
complete -c jwkctl -n "__fish_jwkctl_using_subcommand sign" -l sub -d 'The subject claim (sub)' -r
complete -c jwkctl -n "__fish_jwkctl_using_subcommand sign" -l iss -d 'The issuer claim (iss)' -r
complete -c jwkctl -n "__fish_jwkctl_using_subcommand sign" -l aud -d 'An audience (aud); repeat for several, which makes aud an array' -r
complete -c jwkctl -n "__fish_jwkctl_using_subcommand sign" -l nbf -d 'Not valid before TIME, or before now + DURATION (nbf)' -r
complete -c jwkctl -n "__fish_jwkctl_using_subcommand sign" -l claim -d 'A claim NAME=VALUE; VALUE is parsed as JSON when it is valid JSON, else taken as a string (repeatable)' -r
complete -c jwkctl -n "__fish_jwkctl_using_subcommand sign" -l claims -d 'Claims as a JSON object: inline, @FILE, or - for stdin' -r
complete -c jwkctl -n "__fish_jwkctl_using_subcommand sign" -l kid -d 'Sign with this key (the active key or a pending one; a retired key is refused)' -r
complete -c jwkctl -n "__fish_jwkctl_using_subcommand sign" -l count -d 'Print N tokens, one per line' -r
complete -c jwkctl -n "__fish_jwkctl_using_subcommand sign" -s k -l keys -d 'The key store: a file, or vault:MOUNT/PATH for a secret of an OpenBao or Vault KV version 2 engine' -r -F
complete -c jwkctl -n "__fish_jwkctl_using_subcommand sign" -l now -d 'Act as if the current time were TIME (RFC 3339 like 2026-01-02T03:04:05Z, or Unix seconds)' -r
complete -c jwkctl -n "__fish_jwkctl_using_subcommand sign" -l jti -d 'Add a random token id (jti), fresh for every token'
complete -c jwkctl -n "__fish_jwkctl_using_subcommand sign" -s q -l quiet -d 'No status lines on stderr (errors and rejections are still shown)'
complete -c jwkctl -n "__fish_jwkctl_using_subcommand sign" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c jwkctl -n "__fish_jwkctl_using_subcommand sign" -s V -l version -d 'Print version'
complete -c jwkctl -n "__fish_jwkctl_using_subcommand verify" -l jwks -d 'Where the keys come from: a JWK Set or JWK file, or an https:// URL [default: the key store]' -r -F
complete -c jwkctl -n "__fish_jwkctl_using_subcommand verify" -l ca-file -d 'Also trust the CA certificates in FILE (PEM) for an https:// --jwks URL' -r -F
complete -c jwkctl -n "__fish_jwkctl_using_subcommand verify" -l alg -d 'Accept only this algorithm (repeatable)' -r -f -a "RS256\t''
RS384\t''
RS512\t''
PS256\t''
PS384\t''
PS512\t''
ES256\t''
ES384\t''
ES512\t''
EdDSA\t''"
complete -c jwkctl -n "__fish_jwkctl_using_subcommand verify" -l leeway -d 'Clock tolerance for exp and nbf' -r
complete -c jwkctl -n "__fish_jwkctl_using_subcommand verify" -l iss -d 'Require this issuer (iss)' -r
complete -c jwkctl -n "__fish_jwkctl_using_subcommand verify" -l sub -d 'Require this subject (sub)' -r
complete -c jwkctl -n "__fish_jwkctl_using_subcommand verify" -l aud -d 'Accept this audience (repeatable: any one matching is enough); a token with aud needs one' -r
complete -c jwkctl -n "__fish_jwkctl_using_subcommand verify" -l require -d 'Require this claim to be present (repeatable)' -r
complete -c jwkctl -n "__fish_jwkctl_using_subcommand verify" -s k -l keys -d 'The key store: a file, or vault:MOUNT/PATH for a secret of an OpenBao or Vault KV version 2 engine' -r -F
complete -c jwkctl -n "__fish_jwkctl_using_subcommand verify" -l now -d 'Act as if the current time were TIME (RFC 3339 like 2026-01-02T03:04:05Z, or Unix seconds)' -r
complete -c jwkctl -n "__fish_jwkctl_using_subcommand verify" -l allow-no-exp -d 'Accept tokens without exp'
complete -c jwkctl -n "__fish_jwkctl_using_subcommand verify" -l batch -d 'Read one token per line from stdin (jwkctl verify --batch < FILE) and print one JSON result per line'
complete -c jwkctl -n "__fish_jwkctl_using_subcommand verify" -s q -l quiet -d 'No status lines on stderr (errors and rejections are still shown)'
complete -c jwkctl -n "__fish_jwkctl_using_subcommand verify" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c jwkctl -n "__fish_jwkctl_using_subcommand verify" -s V -l version -d 'Print version'
complete -c jwkctl -n "__fish_jwkctl_using_subcommand rotate" -l kid -d 'Key id of the new key instead of its RFC 7638 thumbprint' -r
complete -c jwkctl -n "__fish_jwkctl_using_subcommand rotate" -l if-older-than -d 'Rotate only when the newest key was created more than DURATION ago; otherwise change nothing and exit 0' -r
complete -c jwkctl -n "__fish_jwkctl_using_subcommand rotate" -l publish-ahead -d 'Publish the new key now but sign with it only from now + DURATION' -r
complete -c jwkctl -n "__fish_jwkctl_using_subcommand rotate" -l max-ttl -d 'Change the store\'s max token lifetime' -r
complete -c jwkctl -n "__fish_jwkctl_using_subcommand rotate" -l await-published -d 'Let the new key sign only once SOURCE (the file or URL verifiers fetch) lists it and its caches expired (repeatable)' -r -F
complete -c jwkctl -n "__fish_jwkctl_using_subcommand rotate" -l ca-file -d 'Also trust the CA certificates in FILE (PEM) for https:// --await-published URLs' -r -F
complete -c jwkctl -n "__fish_jwkctl_using_subcommand rotate" -l alg -d 'Signing algorithm of the new key [default: the active key\'s]' -r -f -a "RS256\t''
RS384\t''
RS512\t''
PS256\t''
PS384\t''
PS512\t''
ES256\t''
ES384\t''
ES512\t''
EdDSA\t''"
complete -c jwkctl -n "__fish_jwkctl_using_subcommand rotate" -l bits -d 'RSA key size: 2048, 3072 or 4096 [default: the active key\'s size when it is RSA, else 2048]' -r
complete -c jwkctl -n "__fish_jwkctl_using_subcommand rotate" -l signer -d 'Keep the new key\'s private half in OpenBao/Vault transit (transit:MOUNT/NAME, server and token from VAULT_*) [default: the active key\'s signer]' -r
complete -c jwkctl -n "__fish_jwkctl_using_subcommand rotate" -s k -l keys -d 'The key store: a file, or vault:MOUNT/PATH for a secret of an OpenBao or Vault KV version 2 engine' -r -F
complete -c jwkctl -n "__fish_jwkctl_using_subcommand rotate" -l now -d 'Act as if the current time were TIME (RFC 3339 like 2026-01-02T03:04:05Z, or Unix seconds)' -r
complete -c jwkctl -n "__fish_jwkctl_using_subcommand rotate" -l skip-await -d 'End the pending key\'s wait for its --await-published sources: it signs from its signs_from, or now when that has passed'
complete -c jwkctl -n "__fish_jwkctl_using_subcommand rotate" -s q -l quiet -d 'No status lines on stderr (errors and rejections are still shown)'
complete -c jwkctl -n "__fish_jwkctl_using_subcommand rotate" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c jwkctl -n "__fish_jwkctl_using_subcommand rotate" -s V -l version -d 'Print version'
complete -c jwkctl -n "__fish_jwkctl_using_subcommand prune" -l older-than -d 'Remove keys retired for longer than DURATION (at least the default)' -r
complete -c jwkctl -n "__fish_jwkctl_using_subcommand prune" -s k -l keys -d 'The key store: a file, or vault:MOUNT/PATH for a secret of an OpenBao or Vault KV version 2 engine' -r -F
complete -c jwkctl -n "__fish_jwkctl_using_subcommand prune" -l now -d 'Act as if the current time were TIME (RFC 3339 like 2026-01-02T03:04:05Z, or Unix seconds)' -r
complete -c jwkctl -n "__fish_jwkctl_using_subcommand prune" -l dry-run -d 'Print what would be removed; change nothing'
complete -c jwkctl -n "__fish_jwkctl_using_subcommand prune" -s q -l quiet -d 'No status lines on stderr (errors and rejections are still shown)'
complete -c jwkctl -n "__fish_jwkctl_using_subcommand prune" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c jwkctl -n "__fish_jwkctl_using_subcommand prune" -s V -l version -d 'Print version'
complete -c jwkctl -n "__fish_jwkctl_using_subcommand revoke" -s k -l keys -d 'The key store: a file, or vault:MOUNT/PATH for a secret of an OpenBao or Vault KV version 2 engine' -r -F
complete -c jwkctl -n "__fish_jwkctl_using_subcommand revoke" -l now -d 'Act as if the current time were TIME (RFC 3339 like 2026-01-02T03:04:05Z, or Unix seconds)' -r
complete -c jwkctl -n "__fish_jwkctl_using_subcommand revoke" -s q -l quiet -d 'No status lines on stderr (errors and rejections are still shown)'
complete -c jwkctl -n "__fish_jwkctl_using_subcommand revoke" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c jwkctl -n "__fish_jwkctl_using_subcommand revoke" -s V -l version -d 'Print version'
complete -c jwkctl -n "__fish_jwkctl_using_subcommand list" -s k -l keys -d 'The key store: a file, or vault:MOUNT/PATH for a secret of an OpenBao or Vault KV version 2 engine' -r -F
complete -c jwkctl -n "__fish_jwkctl_using_subcommand list" -l now -d 'Act as if the current time were TIME (RFC 3339 like 2026-01-02T03:04:05Z, or Unix seconds)' -r
complete -c jwkctl -n "__fish_jwkctl_using_subcommand list" -l json -d 'One JSON object per line, for monitoring'
complete -c jwkctl -n "__fish_jwkctl_using_subcommand list" -s q -l quiet -d 'No status lines on stderr (errors and rejections are still shown)'
complete -c jwkctl -n "__fish_jwkctl_using_subcommand list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c jwkctl -n "__fish_jwkctl_using_subcommand list" -s V -l version -d 'Print version'
complete -c jwkctl -n "__fish_jwkctl_using_subcommand inspect" -s k -l keys -d 'The key store: a file, or vault:MOUNT/PATH for a secret of an OpenBao or Vault KV version 2 engine' -r -F
complete -c jwkctl -n "__fish_jwkctl_using_subcommand inspect" -l now -d 'Act as if the current time were TIME (RFC 3339 like 2026-01-02T03:04:05Z, or Unix seconds)' -r
complete -c jwkctl -n "__fish_jwkctl_using_subcommand inspect" -s q -l quiet -d 'No status lines on stderr (errors and rejections are still shown)'
complete -c jwkctl -n "__fish_jwkctl_using_subcommand inspect" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c jwkctl -n "__fish_jwkctl_using_subcommand inspect" -s V -l version -d 'Print version'
complete -c jwkctl -n "__fish_jwkctl_using_subcommand export" -l out -d 'Write FILE atomically instead of printing: mode 0600 with --private, else 0644 (or FILE\'s existing mode)' -r -F
complete -c jwkctl -n "__fish_jwkctl_using_subcommand export" -s k -l keys -d 'The key store: a file, or vault:MOUNT/PATH for a secret of an OpenBao or Vault KV version 2 engine' -r -F
complete -c jwkctl -n "__fish_jwkctl_using_subcommand export" -l now -d 'Act as if the current time were TIME (RFC 3339 like 2026-01-02T03:04:05Z, or Unix seconds)' -r
complete -c jwkctl -n "__fish_jwkctl_using_subcommand export" -l pem -d 'PEM instead of a JWK: SPKI public key, or PKCS#8 with --private'
complete -c jwkctl -n "__fish_jwkctl_using_subcommand export" -l private -d 'Print the PRIVATE key (keep the output as secret as the store)'
complete -c jwkctl -n "__fish_jwkctl_using_subcommand export" -s q -l quiet -d 'No status lines on stderr (errors and rejections are still shown)'
complete -c jwkctl -n "__fish_jwkctl_using_subcommand export" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c jwkctl -n "__fish_jwkctl_using_subcommand export" -s V -l version -d 'Print version'
complete -c jwkctl -n "__fish_jwkctl_using_subcommand import" -l alg -d 'Signing algorithm; needed only where the key does not fix it [default: the JWK\'s alg, else RS256 for RSA, ES256/ES384/ES512 by curve, EdDSA for Ed25519]' -r -f -a "RS256\t''
RS384\t''
RS512\t''
PS256\t''
PS384\t''
PS512\t''
ES256\t''
ES384\t''
ES512\t''
EdDSA\t''"
complete -c jwkctl -n "__fish_jwkctl_using_subcommand import" -l kid -d 'Key id instead of the JWK\'s kid or the RFC 7638 thumbprint' -r
complete -c jwkctl -n "__fish_jwkctl_using_subcommand import" -l publish-ahead -d 'Publish the key now but sign with it only from now + DURATION (pending)' -r
complete -c jwkctl -n "__fish_jwkctl_using_subcommand import" -s k -l keys -d 'The key store: a file, or vault:MOUNT/PATH for a secret of an OpenBao or Vault KV version 2 engine' -r -F
complete -c jwkctl -n "__fish_jwkctl_using_subcommand import" -l now -d 'Act as if the current time were TIME (RFC 3339 like 2026-01-02T03:04:05Z, or Unix seconds)' -r
complete -c jwkctl -n "__fish_jwkctl_using_subcommand import" -s q -l quiet -d 'No status lines on stderr (errors and rejections are still shown)'
complete -c jwkctl -n "__fish_jwkctl_using_subcommand import" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c jwkctl -n "__fish_jwkctl_using_subcommand import" -s V -l version -d 'Print version'
complete -c jwkctl -n "__fish_jwkctl_using_subcommand fixtures" -l alg -d 'The algorithm of the kit\'s key (the verifier\'s)' -r -f -a "RS256\t''
RS384\t''
RS512\t''
PS256\t''
PS384\t''
PS512\t''
ES256\t''
ES384\t''
ES512\t''
EdDSA\t''"
complete -c jwkctl -n "__fish_jwkctl_using_subcommand fixtures" -l iss -d 'The issuer the verifier expects' -r
complete -c jwkctl -n "__fish_jwkctl_using_subcommand fixtures" -l aud -d 'The audience the verifier expects' -r
complete -c jwkctl -n "__fish_jwkctl_using_subcommand fixtures" -l ttl -d 'How long the valid token is valid, from now' -r
complete -c jwkctl -n "__fish_jwkctl_using_subcommand fixtures" -s k -l keys -d 'The key store: a file, or vault:MOUNT/PATH for a secret of an OpenBao or Vault KV version 2 engine' -r -F
complete -c jwkctl -n "__fish_jwkctl_using_subcommand fixtures" -l now -d 'Act as if the current time were TIME (RFC 3339 like 2026-01-02T03:04:05Z, or Unix seconds)' -r
complete -c jwkctl -n "__fish_jwkctl_using_subcommand fixtures" -s q -l quiet -d 'No status lines on stderr (errors and rejections are still shown)'
complete -c jwkctl -n "__fish_jwkctl_using_subcommand fixtures" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c jwkctl -n "__fish_jwkctl_using_subcommand fixtures" -s V -l version -d 'Print version'
complete -c jwkctl -n "__fish_jwkctl_using_subcommand completions" -s k -l keys -d 'The key store: a file, or vault:MOUNT/PATH for a secret of an OpenBao or Vault KV version 2 engine' -r -F
complete -c jwkctl -n "__fish_jwkctl_using_subcommand completions" -l now -d 'Act as if the current time were TIME (RFC 3339 like 2026-01-02T03:04:05Z, or Unix seconds)' -r
complete -c jwkctl -n "__fish_jwkctl_using_subcommand completions" -s q -l quiet -d 'No status lines on stderr (errors and rejections are still shown)'
complete -c jwkctl -n "__fish_jwkctl_using_subcommand completions" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c jwkctl -n "__fish_jwkctl_using_subcommand completions" -s V -l version -d 'Print version'
complete -c jwkctl -n "__fish_jwkctl_using_subcommand check" -l published -d 'A published JWK Set to compare with the store: a file or an https:// URL (http:// for loopback hosts), fetched as verify --jwks does, 10 s each (repeatable)' -r -F
complete -c jwkctl -n "__fish_jwkctl_using_subcommand check" -l ca-file -d 'Also trust the CA certificates in FILE (PEM) for https:// --published URLs' -r -F
complete -c jwkctl -n "__fish_jwkctl_using_subcommand check" -l rotation-period -d 'How often the rotation job rotates (its --if-older-than); warn when the newest key is older than this plus 1 day and 2 hours, the margin of a daily job with a random delay' -r
complete -c jwkctl -n "__fish_jwkctl_using_subcommand check" -l cache-ttl -d 'How long caches may hold the published set (a CDN\'s, a verifier\'s; what serve --cache-ttl sends as max-age): a pending key missing from the set is critical when it signs within this' -r
complete -c jwkctl -n "__fish_jwkctl_using_subcommand check" -l format -d 'Output format: text lines, JSON lines, or Prometheus text exposition' -r -f -a "text\t'One `LEVEL CHECK: message` line per finding'
json\t'One JSON object per finding'
prometheus\t'Prometheus text exposition format (node_exporter textfile collector)'"
complete -c jwkctl -n "__fish_jwkctl_using_subcommand check" -l out -d 'Replace FILE atomically (mode 0644) instead of printing, e.g. for node_exporter\'s textfile collector' -r -F
complete -c jwkctl -n "__fish_jwkctl_using_subcommand check" -s k -l keys -d 'The key store: a file, or vault:MOUNT/PATH for a secret of an OpenBao or Vault KV version 2 engine' -r -F
complete -c jwkctl -n "__fish_jwkctl_using_subcommand check" -l now -d 'Act as if the current time were TIME (RFC 3339 like 2026-01-02T03:04:05Z, or Unix seconds)' -r
complete -c jwkctl -n "__fish_jwkctl_using_subcommand check" -s q -l quiet -d 'No status lines on stderr (errors and rejections are still shown)'
complete -c jwkctl -n "__fish_jwkctl_using_subcommand check" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c jwkctl -n "__fish_jwkctl_using_subcommand check" -s V -l version -d 'Print version'
complete -c jwkctl -n "__fish_jwkctl_using_subcommand serve" -l listen -d 'Listen on ADDR (IP:PORT; port 0 picks a free port, shown on stderr)' -r
complete -c jwkctl -n "__fish_jwkctl_using_subcommand serve" -l issuer -d 'Also serve /.well-known/openid-configuration for this issuer (an https:// or http:// URL)' -r
complete -c jwkctl -n "__fish_jwkctl_using_subcommand serve" -l cache-ttl -d 'How long caches may hold the published set: sent as Cache-Control max-age (keep it below the --publish-ahead of your rotations; give check --cache-ttl the same)' -r
complete -c jwkctl -n "__fish_jwkctl_using_subcommand serve" -s k -l keys -d 'The key store: a file, or vault:MOUNT/PATH for a secret of an OpenBao or Vault KV version 2 engine' -r -F
complete -c jwkctl -n "__fish_jwkctl_using_subcommand serve" -l now -d 'Act as if the current time were TIME (RFC 3339 like 2026-01-02T03:04:05Z, or Unix seconds)' -r
complete -c jwkctl -n "__fish_jwkctl_using_subcommand serve" -s q -l quiet -d 'No status lines on stderr (errors and rejections are still shown)'
complete -c jwkctl -n "__fish_jwkctl_using_subcommand serve" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c jwkctl -n "__fish_jwkctl_using_subcommand serve" -s V -l version -d 'Print version'
complete -c jwkctl -n "__fish_jwkctl_using_subcommand help; and not __fish_seen_subcommand_from keygen jwks sign verify rotate prune revoke list inspect export import fixtures completions check serve help" -f -a "keygen" -d 'Create the key store with one active signing key, and print its kid'
complete -c jwkctl -n "__fish_jwkctl_using_subcommand help; and not __fish_seen_subcommand_from keygen jwks sign verify rotate prune revoke list inspect export import fixtures completions check serve help" -f -a "jwks" -d 'Print the public JWK Set: every key a verifier must accept now'
complete -c jwkctl -n "__fish_jwkctl_using_subcommand help; and not __fish_seen_subcommand_from keygen jwks sign verify rotate prune revoke list inspect export import fixtures completions check serve help" -f -a "sign" -d 'Print a signed JWT (compact JWS) from the active key'
complete -c jwkctl -n "__fish_jwkctl_using_subcommand help; and not __fish_seen_subcommand_from keygen jwks sign verify rotate prune revoke list inspect export import fixtures completions check serve help" -f -a "verify" -d 'Verify a token and print its claims as one JSON line'
complete -c jwkctl -n "__fish_jwkctl_using_subcommand help; and not __fish_seen_subcommand_from keygen jwks sign verify rotate prune revoke list inspect export import fixtures completions check serve help" -f -a "rotate" -d 'Add a new signing key and print its kid'
complete -c jwkctl -n "__fish_jwkctl_using_subcommand help; and not __fish_seen_subcommand_from keygen jwks sign verify rotate prune revoke list inspect export import fixtures completions check serve help" -f -a "prune" -d 'Remove keys retired for longer than the grace period, printing each kid'
complete -c jwkctl -n "__fish_jwkctl_using_subcommand help; and not __fish_seen_subcommand_from keygen jwks sign verify rotate prune revoke list inspect export import fixtures completions check serve help" -f -a "revoke" -d 'Remove a key at once (the emergency path)'
complete -c jwkctl -n "__fish_jwkctl_using_subcommand help; and not __fish_seen_subcommand_from keygen jwks sign verify rotate prune revoke list inspect export import fixtures completions check serve help" -f -a "list" -d 'Show every key: kid, alg, state, created, signs from, retired, prunable after'
complete -c jwkctl -n "__fish_jwkctl_using_subcommand help; and not __fish_seen_subcommand_from keygen jwks sign verify rotate prune revoke list inspect export import fixtures completions check serve help" -f -a "inspect" -d 'Decode a token WITHOUT verifying it and print {"header":..,"claims":..}'
complete -c jwkctl -n "__fish_jwkctl_using_subcommand help; and not __fish_seen_subcommand_from keygen jwks sign verify rotate prune revoke list inspect export import fixtures completions check serve help" -f -a "export" -d 'Print one key of the store: a public JWK, or SPKI PEM with --pem'
complete -c jwkctl -n "__fish_jwkctl_using_subcommand help; and not __fish_seen_subcommand_from keygen jwks sign verify rotate prune revoke list inspect export import fixtures completions check serve help" -f -a "import" -d 'Add a private key from a PEM or JWK file as a new key, and print its kid'
complete -c jwkctl -n "__fish_jwkctl_using_subcommand help; and not __fish_seen_subcommand_from keygen jwks sign verify rotate prune revoke list inspect export import fixtures completions check serve help" -f -a "fixtures" -d 'Write a test kit for a JWT verifier: a JWK Set, tokens and a manifest'
complete -c jwkctl -n "__fish_jwkctl_using_subcommand help; and not __fish_seen_subcommand_from keygen jwks sign verify rotate prune revoke list inspect export import fixtures completions check serve help" -f -a "completions" -d 'Print the completion script for SHELL'
complete -c jwkctl -n "__fish_jwkctl_using_subcommand help; and not __fish_seen_subcommand_from keygen jwks sign verify rotate prune revoke list inspect export import fixtures completions check serve help" -f -a "check" -d 'Tell monitoring whether rotation and publication are healthy'
complete -c jwkctl -n "__fish_jwkctl_using_subcommand help; and not __fish_seen_subcommand_from keygen jwks sign verify rotate prune revoke list inspect export import fixtures completions check serve help" -f -a "serve" -d 'Serve the public JWK Set over HTTP until SIGINT or SIGTERM'
complete -c jwkctl -n "__fish_jwkctl_using_subcommand help; and not __fish_seen_subcommand_from keygen jwks sign verify rotate prune revoke list inspect export import fixtures completions check serve help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
