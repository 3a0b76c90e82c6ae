#!/usr/bin/env bash
# Lighthouse, mobile (its default: a mid-range phone, throttled 4G), for the home page and the
# report form (issue 16). Not part of the test suite: a measurement, run by hand against a live
# LAPOR with demo data, preferably in production mode (DJANGO_DEBUG=0, gunicorn, collected and
# compressed static files), e.g.:
#
#   export DJANGO_DEBUG=0 DJANGO_SECRET_KEY=local-only DJANGO_ALLOWED_HOSTS=127.0.0.1 \
#          DJANGO_SECURE_SSL_REDIRECT=0 DATABASE_URL=postgres://... REDIS_URL=redis://...
#   python manage.py collectstatic --noinput && python manage.py seed_demo
#   gunicorn lapor.wsgi --config python:lapor.gunicorn_conf --bind 127.0.0.1:8000 --workers 2
#   CHROME_PATH=/usr/bin/chromium bench/lighthouse.sh http://127.0.0.1:8000
#
# LIGHTHOUSE names the lighthouse command (default: `npx --yes lighthouse@12`, from npm).
# Writes bench/results/lighthouse-<page>.json and prints the four category scores (0-100).
set -euo pipefail
BASE="${1:-http://127.0.0.1:8000}"
LIGHTHOUSE="${LIGHTHOUSE:-npx --yes lighthouse@12}"
export CHROME_PATH="${CHROME_PATH:-/usr/bin/chromium}"
OUT="$(dirname "$0")/results"
mkdir -p "$OUT"
for page in home:/ form:/lapor/; do
  name="${page%%:*}" path="${page#*:}"
  $LIGHTHOUSE "$BASE$path" --quiet --output=json --output-path="$OUT/lighthouse-$name.json" \
    --only-categories=performance,accessibility,best-practices,seo \
    --chrome-flags="--headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage" >/dev/null
  node -e '
    const r = require(process.argv[1]);
    const s = Object.values(r.categories).map(c => `${c.title} ${Math.round(c.score * 100)}`);
    const m = r.audits;
    console.log(`${process.argv[2]} (${r.finalDisplayedUrl}): ${s.join(", ")}` +
      ` | FCP ${m["first-contentful-paint"].displayValue}, LCP ${m["largest-contentful-paint"].displayValue},` +
      ` TBT ${m["total-blocking-time"].displayValue}, CLS ${m["cumulative-layout-shift"].displayValue}`);
  ' "$(cd "$OUT" && pwd)/lighthouse-$name.json" "$name"
done
