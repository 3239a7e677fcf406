-- Traders, not accounts: one trader may have traded through several accounts (renames). The
-- status is today's, judged on all the data (fct_trader_days decides departure day by day).
with

accounts as (
    select * from {{ ref('int_accounts_mapped_to_traders') }}
),

calendar as (
    select trade_date, trading_day_number from {{ ref('int_calendar_days_filtered_to_trading_days') }}
),

by_trader as (
    select
        trader_id,
        max(trader_name) as trader_name,
        max(desk) as desk,
        max(daily_loss_limit_usd) as daily_loss_limit_usd,
        count(*) as accounts_count,
        min(first_trade_date) as first_trade_date,
        max(last_trade_date) as last_trade_date,
        bool_or(is_mapped_in_config) as is_mapped_in_config
    from accounts
    group by trader_id
),

-- The account a trader trades through now: the one with the latest activity.
primary_account as (
    select trader_id, account_name as primary_account_name
    from (
        select
            trader_id,
            account_name,
            row_number() over (
                partition by trader_id order by last_trade_date desc nulls last, account_name asc
            ) as recency_rank
        from accounts
    ) as ranked
    where recency_rank = 1
),

-- Trading days in the calendar after the trader's last trade.
idle as (
    select
        t.trader_id,
        count(c.trade_date) as idle_trading_days
    from by_trader as t
    left join calendar as c on t.last_trade_date < c.trade_date
    group by t.trader_id
),

final as (
    select
        t.trader_id,
        t.trader_name,
        coalesce(t.desk, 'unassigned') as desk,
        t.daily_loss_limit_usd,
        p.primary_account_name,
        t.accounts_count,
        t.first_trade_date,
        t.last_trade_date,
        case
            when t.last_trade_date is null then 'never_traded'
            when i.idle_trading_days >= {{ var('departed_after_idle_trading_days') }} then 'departed'
            else 'active'
        end as trader_status,
        cast(i.idle_trading_days as bigint) as idle_trading_days,
        t.is_mapped_in_config
    from by_trader as t
    inner join primary_account as p on t.trader_id = p.trader_id
    inner join idle as i on t.trader_id = i.trader_id
)

select * from final
