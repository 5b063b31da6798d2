-- The fixes a seller should make first: from each listing's latest score, every rule short of full points
-- with the points its fix adds to total_score, ranked within the listing by points and across the catalogue
-- by points x the listing's sales over the last 28 days (a fix on a best seller before one on a dead listing).
with listing_scores as (
    select * from {{ ref('fct_listing_scores') }}
),

listings as (
    select * from {{ ref('stg_catalog__listings') }}
),

sales as (
    select * from {{ ref('int_listing_sales_last_28_days') }}
),

latest_scores as (
    select distinct on (listing_id) listing_id, score_date, score_breakdown
    from listing_scores
    order by listing_id, score_date desc
),

-- A metric's fix adds (points possible - earned) / the component's points possible x 100 to the component,
-- and that x the component's weight / the weight of the measured components to total_score.
metric_gains as (
    select
        s.listing_id,
        s.score_date,
        m.key as metric,
        m.value ->> 'component' as component,
        m.value ->> 'reason' as reason,
        m.value ->> 'fix' as fix,
        ((m.value ->> 'points_possible')::numeric - (m.value ->> 'points_earned')::numeric)
            / (c.value ->> 'points_possible')::numeric * 100
            * (c.value ->> 'weight')::numeric / (s.score_breakdown ->> 'measured_weight')::numeric as points_gained
    from latest_scores s
    cross join lateral jsonb_each(s.score_breakdown -> 'metrics') as m
    join lateral jsonb_each(s.score_breakdown -> 'components') as c on c.key = m.value ->> 'component'
    where (m.value ->> 'measured')::boolean
      and m.value ->> 'fix' is not null
      and (m.value ->> 'points_earned')::numeric < (m.value ->> 'points_possible')::numeric
),

-- One action can mend several rules (a missing title fails all three title rules): one row per action.
fixes as (
    select
        listing_id,
        score_date,
        fix,
        string_agg(metric, ', ' order by metric) as metrics,
        string_agg(distinct component, ', ') as components,
        string_agg(distinct reason, '; ') as reasons,
        round(sum(points_gained), 2) as points_gained
    from metric_gains
    group by listing_id, score_date, fix
),

ranked as (
    select
        f.*,
        l.sku::text as sku,
        coalesce(left(split_part(nullif(btrim(l.title), ''), ',', 1), 60), l.sku) as listing_name,
        s.sessions_28_days,
        s.ordered_product_sales_28_days_gbp,
        round(f.points_gained * s.ordered_product_sales_28_days_gbp, 2) as priority_score,
        row_number() over (partition by f.listing_id order by f.points_gained desc, f.fix) as listing_fix_rank,
        row_number() over (
            order by f.points_gained * s.ordered_product_sales_28_days_gbp desc, f.points_gained desc,
                     s.sessions_28_days desc, l.sku, f.fix
        ) as seller_fix_rank
    from fixes f
    join listings l on l.listing_id = f.listing_id
    join sales s on s.listing_id = f.listing_id
),

final as (
    select
        listing_id,
        sku,
        listing_name,
        score_date,
        fix,
        reasons,
        metrics,
        components,
        points_gained,
        sessions_28_days,
        ordered_product_sales_28_days_gbp,
        priority_score,
        listing_fix_rank,
        seller_fix_rank,
        format('%s: +%s points on %s', fix, to_char(points_gained, 'FM990.0'),
               case when listing_name = sku then sku else format('%s (%s)', listing_name, sku) end) as fix_summary
    from ranked
)

select * from final
