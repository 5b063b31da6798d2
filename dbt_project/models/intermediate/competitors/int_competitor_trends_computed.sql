-- Per Keepa product (rivals and our own ASINs): the price a shopper pays it now, whether it is out of stock,
-- sales rank trend, reviews gained and latest rating, from the history of the last two threat windows.
with products as (
    select * from {{ ref('stg_competitors__products') }}
),

history as (
    select * from {{ ref('stg_competitors__price_history') }}
),

windows as (
    select * from {{ ref('int_competitor_threat_windows_dated') }}
),

windowed_history as (
    select
        history.*,
        history.observed_at >= windows.recent_start_at as is_recent
    from history
    cross join windows
    -- Scalar subqueries, not the joined columns: their values prune the monthly partitions at run time.
    where history.observed_at >= (select prior_start_at from windows)
      and history.observed_at <= (select window_end_at from windows)
),

per_product as (
    select
        competitor_id,
        avg(bsr) filter (where is_recent) as average_rank_recent,
        avg(bsr) filter (where not is_recent) as average_rank_prior,
        -- Baseline: the last count before the recent window, else the first inside it (a rival launched since).
        coalesce(
            (array_agg(review_count order by observed_at desc) filter (where not is_recent and review_count is not null))[1],
            (array_agg(review_count order by observed_at) filter (where is_recent and review_count is not null))[1]
        ) as review_count_baseline,
        coalesce(
            (array_agg(observed_at order by observed_at desc) filter (where not is_recent and review_count is not null))[1],
            (array_agg(observed_at order by observed_at) filter (where is_recent and review_count is not null))[1]
        ) as review_baseline_at,
        (array_agg(review_count order by observed_at desc) filter (where is_recent and review_count is not null))[1]
            as review_count_latest,
        (array_agg(observed_at order by observed_at desc) filter (where is_recent and review_count is not null))[1]
            as review_latest_at,
        (array_agg(rating order by observed_at desc) filter (where rating is not null))[1] as rating_latest,
        -- The latest observation of the new-offer series: a NULL price with the flag set is "out of stock".
        (array_agg(new_out_of_stock order by observed_at desc)
            filter (where new_price_gbp is not null or new_out_of_stock is not null))[1] as is_out_of_stock
    from windowed_history
    group by competitor_id
),

final as (
    select
        products.competitor_id,
        -- What a shopper pays: the Buy Box price (shipping included), else the lowest new price.
        coalesce(products.buy_box_price_gbp, products.current_price_gbp) as offer_price_gbp,
        coalesce(per_product.is_out_of_stock, false) as is_out_of_stock,
        round(per_product.average_rank_recent, 1) as average_rank_recent,
        round(per_product.average_rank_prior, 1) as average_rank_prior,
        round(100 * (per_product.average_rank_prior - per_product.average_rank_recent)
            / nullif(per_product.average_rank_prior, 0), 2) as rank_improvement_pct,
        case when per_product.review_baseline_at < per_product.review_latest_at
            then per_product.review_count_latest - per_product.review_count_baseline
        end as reviews_gained,
        coalesce(per_product.rating_latest, products.rating) as rating
    from products
    left join per_product on per_product.competitor_id = products.competitor_id
)

select * from final
