{#-
  Incremental round trips. A round trip can span days (positions carried overnight), and a
  restated day can change trips that close later, so a run cannot simply redo "the new dates".
  Instead, for every account with fills loaded after the newest load the trips table has seen,
  it redoes the account's *tail*: from the last day that opened with the account flat in every
  symbol, on or before its first changed day. No trip crosses that day's open, so every trip
  closing on or after it is rebuilt from fills on or after it (and nothing before it changes).
  Assumes an account's fill history starts flat (as any history from its first trade does).
-#}
{% macro round_trip_reprocess_from(fills, trips) -%}
    with changed_accounts as (
        select account_name, min(trade_date) as first_changed_date
        from {{ fills }}
        where _load_seq > (select coalesce(max(_load_seq), 0) from {{ trips }})
        group by account_name
    ),

    symbol_days as (
        select f.account_name, f.symbol, f.trade_date, sum(f.signed_quantity) as net_quantity
        from {{ fills }} as f
        inner join changed_accounts as c
            on f.account_name = c.account_name and f.trade_date <= c.first_changed_date
        group by f.account_name, f.symbol, f.trade_date
    ),

    symbol_positions as (
        select
            *,
            {{ opening_position() }} as opening_position
        from symbol_days
    ),

    -- +1 when a symbol goes from flat to open that day, -1 when it goes back to flat.
    account_days as (
        select
            account_name,
            trade_date,
            sum(case when opening_position + net_quantity <> 0 then 1 else 0 end)
            - sum(case when opening_position <> 0 then 1 else 0 end) as open_symbols_change
        from symbol_positions
        group by account_name, trade_date
    ),

    day_openings as (
        select
            account_name,
            trade_date,
            coalesce(sum(open_symbols_change) over (
                partition by account_name order by trade_date
                rows between unbounded preceding and 1 preceding
            ), 0) as open_symbols_at_open
        from account_days
    )

    select account_name, max(trade_date) as reprocess_from
    from day_openings
    where open_symbols_at_open = 0
    group by account_name
{%- endmacro %}

{#-
  Custom incremental strategy `round_trip_tails` (see above): delete each changed account's
  trips closing on or after its reprocess_from, then insert the rebuilt ones. It runs before the
  insert, so it sees the same high-water mark the model's batch was selected with.
-#}
{% macro get_incremental_round_trip_tails_sql(arg_dict) -%}
    {%- set trips = arg_dict['target_relation'] -%}
    {%- set columns = get_quoted_csv(arg_dict['dest_columns'] | map(attribute='name')) -%}
    delete from {{ trips }} as existing
    where exists (
        select 1
        from ({{ round_trip_reprocess_from(ref('fct_fills'), trips) }}) as reprocess
        where reprocess.account_name = existing.account_name
            and existing.trade_date >= reprocess.reprocess_from
    );

    insert into {{ trips }} ({{ columns }})
    select {{ columns }} from {{ arg_dict['temp_relation'] }}
{%- endmacro %}
