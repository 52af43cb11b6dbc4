#!/usr/bin/env python3
"""Recomputes the scorecard's figures for every area and quarter straight from an extract's CSV
files with DuckDB, from the definitions of scorecard.md, and compares them with the grid's long
form (`h2h scorecard grid --out FILE`, or the records crate's `national --keep DIR --long FILE`).
Prints the measures compared and any difference.

    python3 bench/records_duckdb.py EXTRACT_DIR LONG_CSV [FIRST_FY]

Substance mentions are compared as totals (normalisation of names is the crate's own).
`bench/records_vs_duckdb.py` uses the three steps (load, figures, compare) to time DuckDB.
"""
import sys

FILES = ["referrals", "drug_tests", "assessments", "episodes", "substances",
         "brief_interventions", "outcome_events", "reoffending_checks"]


def load(con, extract):
    """Reads the extract's CSV files into tables of text, as written."""
    for name in FILES:
        con.execute(
            f"create table {name} as select * from read_csv('{extract}/{name}.csv', header=true, all_varchar=true)"
        )


def figures(con, first_fy):
    """Computes every figure into the table `duck` (area, period, measure, key, value)."""
    # The quarters of ten financial years: Q1 starts in April, Q4 in January of the next year.
    con.execute(f"""
    create table periods as
    select printf('%d/%02d-Q%d', fy, (fy + 1) % 100, q) as period, s as pstart,
           (s + interval 3 month - interval 1 day)::date as pend
    from (select fy, q, make_date(fy + (q = 4)::int, [4, 7, 10, 1][q], 1) as s
          from range({first_fy}, {first_fy} + 10) f(fy), range(1, 5) qq(q))
    """)

    con.execute("""
    create table episodes_t as select area_code, client_id,
      cast(care_plan_date as date) cp, cast(nullif(treatment_start_date, '') as date) ts,
      lower(prescribed) in ('true','yes','y','1') rx, lower(iom) in ('true','yes','y','1') iom,
      cast(nullif(closure_date, '') as date) cl, nullif(closure_reason, '') reason
    from episodes""")

    # Reoffending checks count for the area of the client's episode that closed on the checked
    # date, else the client's latest episode, else the client's latest referral.
    con.execute("""
    create table checks_t as
    with c as (select row_number() over () as n, client_id, cast(check_date as date) d, cast(closure_date as date) cl,
                      lower(arrested_since_closure) in ('true','yes','y','1') since,
                      lower(arrested_last_6_months) in ('true','yes','y','1') six from reoffending_checks),
    exact as (select client_id, cl, first(area_code order by rn) area from
                (select client_id, cl, area_code, row_number() over () rn from episodes_t where cl is not null) group by all),
    latest_e as (select client_id, arg_max(area_code, cp) area from
                (select client_id, area_code, cp from episodes_t) group by all),
    latest_r as (select client_id, arg_max(area_code, cast(referral_date as date)) area from referrals group by all)
    select c.*, coalesce(exact.area, latest_e.area, latest_r.area) area_code
    from c left join exact using (client_id, cl) left join latest_e using (client_id) left join latest_r using (client_id)
    """)

    # A check whose client has no other record counts for every area.
    con.execute("""
    create table checks_a as
    with areas as (select distinct area_code from (
        select area_code from referrals union all select area_code from drug_tests
        union all select area_code from assessments union all select area_code from episodes_t
        union all select area_code from brief_interventions union all select area_code from outcome_events
        union all select area_code from checks_t where area_code is not null))
    select c.* exclude (area_code), a.area_code from checks_t c join areas a
      on c.area_code = a.area_code or c.area_code is null
    """)

    sql = """
    select r.area_code area, p.period, 'referrals' measure, r.source key, count(*) value
      from referrals r join periods p on cast(r.referral_date as date) between p.pstart and p.pend group by all
    union all
    select t.area_code, p.period, 'tests_' || t.basis, t.result, count(*)
      from drug_tests t join periods p on cast(t.test_date as date) between p.pstart and p.pend
      where t.basis <> 'in_treatment' group by all
    union all
    select t.area_code, p.period, 'treatment_tests', '', count(distinct t.client_id)
      from drug_tests t join periods p on cast(t.test_date as date) between p.pstart and p.pend
      where t.basis = 'in_treatment' and t.client_id is not null and t.client_id <> '' group by all
    union all
    select a.area_code, p.period, case a.kind when 'full' then 'assessments' else 'required_assessments' end, '', count(*)
      from assessments a join periods p on cast(a.assessment_date as date) between p.pstart and p.pend group by all
    union all
    select e.area_code, p.period, 'care_plans', '', count(*) from episodes_t e join periods p on e.cp between p.pstart and p.pend group by all
    union all
    select e.area_code, p.period, 'engaged_in_treatment', '', count(*) from episodes_t e join periods p on e.cp between p.pstart and p.pend
      where e.ts <= p.pend group by all
    union all
    select e.area_code, p.period, 'prescribed', '', count(*) from episodes_t e join periods p on e.cp between p.pstart and p.pend
      where e.rx group by all
    union all
    select e.area_code, p.period, 'caseload', '', count(*) from episodes_t e join periods p on e.cp <= p.pend and (e.cl is null or e.cl > p.pend) group by all
    union all
    select e.area_code, p.period, 'caseload_iom', '', count(*) from episodes_t e join periods p on e.cp <= p.pend and (e.cl is null or e.cl > p.pend)
      where e.iom group by all
    union all
    select e.area_code, p.period, 'modalities', case when e.rx then 'prescribed' else 'not_prescribed' end, count(*)
      from episodes_t e join periods p on e.cp <= p.pend and (e.cl is null or e.cl >= p.pstart) group by all
    union all
    select e.area_code, p.period, 'closures',
           case when floor(date_diff('day', coalesce(e.ts, e.cp), e.cl) / 7) < 12 then '0-11'
                when floor(date_diff('day', coalesce(e.ts, e.cp), e.cl) / 7) < 24 then '12-23' else '24+' end, count(*)
      from episodes_t e join periods p on e.cl between p.pstart and p.pend group by all
    union all
    select e.area_code, p.period, 'disengagements', '', count(*) from episodes_t e join periods p on e.cl between p.pstart and p.pend
      where e.reason = 'disengaged' group by all
    union all
    select e.area_code, p.period, 'completions', e.reason, count(*) from episodes_t e join periods p on e.cl between p.pstart and p.pend
      where e.reason like 'completed_%' group by all
    union all
    select e.area_code, p.period, 'prescribed_completions', '', count(*) from episodes_t e join periods p on e.cl between p.pstart and p.pend
      where e.rx and e.reason like 'completed_%' group by all
    union all
    select r.area_code, p.period, 'substances', '', count(*)
      from substances s join referrals r using (referral_id) join periods p on cast(r.referral_date as date) between p.pstart and p.pend group by all
    union all
    select b.area_code, p.period, 'brief_interventions', b.setting, count(*)
      from brief_interventions b join periods p on cast(b.intervention_date as date) between p.pstart and p.pend group by all
    union all
    select b.area_code, p.period, 'signposted', b.signposted_to, count(*)
      from brief_interventions b join periods p on cast(b.intervention_date as date) between p.pstart and p.pend
      where b.signposted_to is not null and b.signposted_to <> '' group by all
    union all
    select o.area_code, p.period, 'positive_outcomes', '', count(*)
      from outcome_events o join periods p on cast(o.event_date as date) between p.pstart and p.pend
      where lower(o.positive) in ('true','yes','y','1') group by all
    union all
    select c.area_code, p.period, 'reoffending_checked', '', count(*) from checks_a c join periods p on c.d between p.pstart and p.pend group by all
    union all
    select c.area_code, p.period, 'not_rearrested', '', count(*) from checks_a c join periods p on c.d between p.pstart and p.pend where not c.since group by all
    union all
    select c.area_code, p.period, 'not_rearrested_6_months', '', count(*) from checks_a c join periods p on c.d between p.pstart and p.pend where c.since and not c.six group by all
    """
    con.execute(f"create table duck as {sql}")
def compare(con, long_csv):
    """Compares `duck` with the grid's long form; prints a summary and gives the differences."""
    con.execute(f"""
    create table grid as select area, period, measure, coalesce(key, '') key, cast(value as bigint) value
    from read_csv('{long_csv}', header=true, all_varchar=true)
    """)
    # Compare each (area, period, measure, key) DuckDB computes and the grid's row for it; the
    # grid's rows with no DuckDB row (zeros) must be zero, for the measures and keys compared.
    compared = con.execute("select distinct measure from duck order by 1").fetchall()
    diff = con.execute("""
    with d as (select area, period, measure, coalesce(key, '') key, value from duck),
    g as (select * from grid where
            (key = '' and measure in (select measure from duck where coalesce(key, '') = ''))
            or (key <> '' and measure in (select measure from duck where coalesce(key, '') <> '')))
    select coalesce(d.area, g.area), coalesce(d.period, g.period), coalesce(d.measure, g.measure),
           coalesce(d.key, g.key), d.value duck, g.value grid
    from d full outer join g on d.area = g.area and d.period = g.period and d.measure = g.measure and d.key = g.key
    where coalesce(d.value, 0) <> coalesce(g.value, 0)
    order by 1, 2, 3, 4 limit 20
    """).fetchall()
    n = con.execute("select count(*), sum(value) from duck").fetchone()
    print(f"compared {len(compared)} measures: {', '.join(m[0] for m in compared)}")
    print(f"{n[0]} DuckDB figures (total count {n[1]})")
    if diff:
        print("DIFFERENCES (area, period, measure, key, duckdb, grid):")
        for d in diff:
            print("  ", d)
    else:
        print("no differences")
    return diff


if __name__ == "__main__":
    import duckdb

    extract, long_csv = sys.argv[1], sys.argv[2]
    first_fy = int(sys.argv[3]) if len(sys.argv) > 3 else 2014
    con = duckdb.connect()
    load(con, extract)
    figures(con, first_fy)
    sys.exit(1 if compare(con, long_csv) else 0)
