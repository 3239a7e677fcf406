-- Trader identity is config, not the account name: the trader config maps accounts to traders;
-- an account it does not list follows the default rule (X_OLD belongs to the trader of X).
with

accounts as (
    select account_name, account_id from {{ ref('stg_propreports__accounts') }}
),

traded as (
    select account_name, min(trade_date) as first_trade_date, max(trade_date) as last_trade_date
    from {{ ref('stg_propreports__daily_totals') }}
    group by account_name
    union all
    select account_name, min(trade_date) as first_trade_date, max(trade_date) as last_trade_date
    from {{ ref('int_fills_aggregated_to_account_days') }}
    group by account_name
),

activity as (
    select account_name, min(first_trade_date) as first_trade_date, max(last_trade_date) as last_trade_date
    from traded
    group by account_name
),

all_accounts as (
    select account_name from accounts
    union
    select account_name from activity
),

config as (
    select * from {{ ref('stg_config__trader_accounts') }}
),

final as (
    select
        a.account_name,
        acc.account_id,
        coalesce(
            c.trader_id,
            case
                when {{ dbt.right("a.account_name", "4") }} = '_OLD'
                    then substr(a.account_name, 1, {{ dbt.length("a.account_name") }} - 4)
            end,
            a.account_name
        ) as trader_id,
        c.trader_name,
        c.desk,
        c.daily_loss_limit_usd,
        c.trader_id is not null as is_mapped_in_config,
        {{ dbt.right("a.account_name", "4") }} = '_OLD' as is_renamed_account,
        act.first_trade_date,
        act.last_trade_date
    from all_accounts as a
    left join accounts as acc on a.account_name = acc.account_name
    left join activity as act on a.account_name = act.account_name
    left join config as c on a.account_name = c.account_name
)

select * from final
