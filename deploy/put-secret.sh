#!/usr/bin/env bash
# Stores the gateway's HS256 signing secret in SSM Parameter Store as a SecureString, byte for byte,
# with no trailing newline.
#
# Why this script rather than a one-liner: `aws ssm put-parameter --value "$(cat file)"` is fine, but
# `--value file://secret.txt` stores the file's trailing newline (editors and `echo` add one), and
# `echo secret | ...` does the same. The gateway trims whitespace from the secret, but the token issuer
# (the catalog) may not: it then signs with "secret\n", the gateway verifies with "secret", and every
# token fails with invalid_signature. Passing the secret as a command-line argument also shows it to
# every user of the machine (ps, /proc); here it goes through a private temporary file instead.
set -euo pipefail

usage() {
  cat <<'EOF'
Usage: deploy/put-secret.sh [options]

Generates a random secret (64 base64url characters, 384 bits) or reads one from standard input, and
stores it in SSM Parameter Store as a SecureString with no trailing newline. Prints the parameter
version and a fingerprint (first 12 hex digits of the secret's SHA-256), never the secret unless
--print is given.

Options:
  -n, --name NAME          parameter name                  (default: /quilt/mcp/jwt-secret)
  -r, --region REGION      AWS region                      (default: $AWS_REGION, then $AWS_DEFAULT_REGION)
  -k, --kms-key-id KEY     KMS key id, ARN or alias        (default: the account's aws/ssm key)
      --from-stdin         read the secret from standard input instead of generating one;
                           surrounding whitespace (a trailing newline) is removed, at least 32 bytes
      --overwrite          replace an existing parameter (rotation); without it, an existing
                           parameter is left untouched and the script fails
      --endpoint-url URL   SSM endpoint, e.g. http://localhost:4566 for LocalStack
      --print              also print the secret on stdout, for the token issuer's configuration
  -h, --help               this text

Examples:
  deploy/put-secret.sh --region us-east-1
  deploy/put-secret.sh --region us-east-1 --overwrite                # rotate
  printf %s "$SECRET" | deploy/put-secret.sh --from-stdin --overwrite
  deploy/put-secret.sh --endpoint-url http://localhost:4566 --region us-east-1 --overwrite
EOF
}

die() {
  printf 'put-secret: %s\n' "$*" >&2
  exit 2
}

name=/quilt/mcp/jwt-secret
region="${AWS_REGION:-${AWS_DEFAULT_REGION:-}}"
kms_key_id=""
from_stdin=false
overwrite=false
endpoint_url=""
print_secret=false

while [ $# -gt 0 ]; do
  case "$1" in
    -n|--name) [ $# -ge 2 ] || die "$1 needs a value"; name="$2"; shift 2 ;;
    -r|--region) [ $# -ge 2 ] || die "$1 needs a value"; region="$2"; shift 2 ;;
    -k|--kms-key-id) [ $# -ge 2 ] || die "$1 needs a value"; kms_key_id="$2"; shift 2 ;;
    --endpoint-url) [ $# -ge 2 ] || die "$1 needs a value"; endpoint_url="$2"; shift 2 ;;
    --from-stdin) from_stdin=true; shift ;;
    --overwrite) overwrite=true; shift ;;
    --print) print_secret=true; shift ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; die "unknown option: $1" ;;
  esac
done

[ -n "$region" ] || die "no region: pass --region or set AWS_REGION"
command -v aws >/dev/null 2>&1 || die "the AWS CLI (aws) is not installed"
[[ "$name" =~ ^/[A-Za-z0-9_./-]+$ ]] || die "the parameter name must start with / and use only letters, digits and _ . - / (got: $name)"
[ -z "$kms_key_id" ] || [[ "$kms_key_id" =~ ^[A-Za-z0-9:/_-]+$ ]] || die "not a KMS key id, ARN or alias: $kms_key_id"

generate() {
  if command -v openssl >/dev/null 2>&1; then
    openssl rand -base64 48 | tr '+/' '-_' | tr -d '=\n'
  elif command -v node >/dev/null 2>&1; then
    node -e "process.stdout.write(require('node:crypto').randomBytes(48).toString('base64url'))"
  else
    head -c 48 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n'
  fi
}

if [ "$from_stdin" = true ]; then
  secret="$(cat)"
  # Trim surrounding whitespace, as the gateway does.
  secret="${secret#"${secret%%[![:space:]]*}"}"
  secret="${secret%"${secret##*[![:space:]]}"}"
else
  secret="$(generate)"
fi

LC_ALL=C
[ "${#secret}" -ge 32 ] || die "the secret must be at least 32 bytes (got ${#secret})"
case "$secret" in
  *[[:cntrl:]]*) die "the secret contains control characters (a newline in the middle?)" ;;
esac

# JSON-escape the two characters that need it; control characters were refused above.
escaped="${secret//\\/\\\\}"
escaped="${escaped//\"/\\\"}"

umask 077
input="$(mktemp "${TMPDIR:-/tmp}/put-secret.XXXXXX")"
trap 'rm -f "$input"' EXIT
{
  printf '{"Name":"%s","Type":"SecureString","Value":"%s","Overwrite":%s' "$name" "$escaped" "$overwrite"
  if [ -n "$kms_key_id" ]; then printf ',"KeyId":"%s"' "$kms_key_id"; fi
  printf '}'
} >"$input"

aws_args=(--region "$region" --output text --query Version)
if [ -n "$endpoint_url" ]; then aws_args+=(--endpoint-url "$endpoint_url"); fi

if ! version="$(aws "${aws_args[@]}" ssm put-parameter --cli-input-json "file://$input")"; then
  if [ "$overwrite" = false ]; then
    echo "put-secret: if the parameter already exists, rerun with --overwrite to rotate it" >&2
  fi
  exit 1
fi

if command -v sha256sum >/dev/null 2>&1; then
  fingerprint="$(printf %s "$secret" | sha256sum | cut -c1-12)"
else
  fingerprint="$(printf %s "$secret" | shasum -a 256 | cut -c1-12)"
fi
printf 'stored %s (version %s, %d bytes, sha256 %s...)\n' "$name" "$version" "${#secret}" "$fingerprint" >&2
if [ "$print_secret" = true ]; then printf '%s\n' "$secret"; fi
