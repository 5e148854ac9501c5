#!/usr/bin/python3
# ics-check.py — reads an iCalendar file (path, or - for stdin) with a real parser (Debian's
# python3-icalendar), checks its structure (CRLF lines folded at 75 octets, VERSION, PRODID, a
# VTIMEZONE for each TZID used with the EU summer-time rules, UID, DTSTAMP and DTSTART on every
# VEVENT) and expands each series with dateutil.rrule, its EXDATEs left out and its RECURRENCE-ID
# instances put in place of the dates they replace. Prints JSON:
#   {"events": {UID: {"summary", "occurrences": ["2027-01-05T17:00:00Z", …]}}, "count": N}
# with every start in UTC, so that a test compares them with the site's own list. On a problem
# prints it on stderr and exits 1. Run with /usr/bin/python3 (Debian's modules).
import json
import sys
from datetime import datetime, timezone

from dateutil import rrule, tz
from icalendar import Calendar

PARIS = tz.gettz('Europe/Paris')
LIMIT = 2000  # occurrences of one series at most


def fail(msg):
    print(f'ics-check: {msg}', file=sys.stderr)
    sys.exit(1)


def check_lines(raw):
    if not raw.endswith(b'\r\n'):
        fail('the file does not end with CRLF')
    for i, line in enumerate(raw.split(b'\r\n')[:-1], 1):
        if b'\n' in line or b'\r' in line:
            fail(f'line {i}: a bare CR or LF')
        if len(line) > 75:
            fail(f'line {i}: {len(line)} octets (75 at most)')
        try:
            line.decode('utf-8')
        except UnicodeDecodeError:
            fail(f'line {i}: folded inside a UTF-8 character, or not UTF-8')


def text(prop):
    v = prop.to_ical()
    return v.decode() if isinstance(v, bytes) else v


def check_timezone(cal):
    zones = {str(z.get('TZID')): z for z in cal.walk('VTIMEZONE')}
    paris = zones.get('Europe/Paris')
    if paris is None:
        fail('no VTIMEZONE Europe/Paris')
    seen = {}
    for sub in paris.subcomponents:
        seen[sub.name] = (text(sub.get('TZOFFSETFROM')), text(sub.get('TZOFFSETTO')),
                          text(sub.get('RRULE')))
    # icalendar writes the parts of a rule back in its own order.
    want = {
        'DAYLIGHT': ('+0100', '+0200', 'FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3'),
        'STANDARD': ('+0200', '+0100', 'FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10'),
    }
    for name, rules in want.items():
        if seen.get(name) != rules:
            fail(f'VTIMEZONE Europe/Paris {name}: {seen.get(name)} (expected {rules})')
    return zones


def local_time(prop, zones):
    """The instant of a DATE-TIME property with TZID=Europe/Paris, as an aware datetime."""
    if prop is None:
        return None
    tzid = prop.params.get('TZID')
    if tzid not in zones:
        fail(f'{text(prop)}: TZID {tzid!r} has no VTIMEZONE')
    naive = prop.dt.replace(tzinfo=None)
    return naive.replace(tzinfo=PARIS)


def utc(dt):
    return dt.astimezone(timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ')


def main():
    src = sys.argv[1] if len(sys.argv) > 1 else '-'
    raw = sys.stdin.buffer.read() if src == '-' else open(src, 'rb').read()
    check_lines(raw)
    cal = Calendar.from_ical(raw)
    if cal.name != 'VCALENDAR':
        fail('not a VCALENDAR')
    for prop in ('VERSION', 'PRODID'):
        if prop not in cal:
            fail(f'VCALENDAR without {prop}')
    if str(cal.get('VERSION')) != '2.0':
        fail('VERSION is not 2.0')
    zones = check_timezone(cal)
    masters, instances = {}, {}
    for ev in cal.walk('VEVENT'):
        for prop in ('UID', 'DTSTAMP', 'DTSTART', 'SUMMARY'):
            if prop not in ev:
                fail(f'VEVENT without {prop}: {ev.get("UID")}')
        uid = str(ev.get('UID'))
        if '@' not in uid:
            fail(f'UID {uid!r} is not globally unique (no @host)')
        start = local_time(ev.get('DTSTART'), zones)
        end = local_time(ev.get('DTEND'), zones)
        if end is not None and end < start:
            fail(f'{uid}: DTEND before DTSTART')
        if 'RECURRENCE-ID' in ev:
            rid = local_time(ev.get('RECURRENCE-ID'), zones)
            instances.setdefault(uid, []).append((rid, start, str(ev.get('SUMMARY'))))
            continue
        if uid in masters:
            fail(f'two VEVENTs with UID {uid} and no RECURRENCE-ID')
        masters[uid] = (ev, start)
    out = {}
    for uid, (ev, start) in masters.items():
        if 'RRULE' in ev:
            rule = text(ev.get('RRULE'))
            if 'UNTIL' not in rule and 'COUNT' not in rule:
                fail(f'{uid}: a series without end')
            rs = rrule.rruleset()
            rs.rrule(rrule.rrulestr(rule, dtstart=start))
            exdates = ev.get('EXDATE')
            for ex in (exdates if isinstance(exdates, list) else [exdates] if exdates else []):
                tzid = ex.params.get('TZID')
                if tzid not in zones:
                    fail(f'{uid}: EXDATE without a known TZID')
                for d in ex.dts:
                    rs.exdate(d.dt.replace(tzinfo=None).replace(tzinfo=PARIS))
            dates = []
            for i, d in enumerate(rs):
                if i >= LIMIT:
                    fail(f'{uid}: more than {LIMIT} occurrences')
                dates.append(d)
        else:
            dates = [start]
        for rid, new_start, _ in instances.get(uid, []):
            if rid not in dates:
                fail(f'{uid}: RECURRENCE-ID {utc(rid)} is none of the series\' dates')
            dates[dates.index(rid)] = new_start
        dates.sort()
        out[uid] = {'summary': str(ev.get('SUMMARY')), 'occurrences': [utc(d) for d in dates]}
    for uid in instances:
        if uid not in masters:
            fail(f'RECURRENCE-ID instance of {uid} without its series')
    print(json.dumps({'events': out, 'count': len(out)}, ensure_ascii=False))


if __name__ == '__main__':
    main()
