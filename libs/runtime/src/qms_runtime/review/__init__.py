"""The reviewed-record kit: drafted by one person, submitted, approved or returned by another.

Every module of the paper has such records (objectives, policy, context, review notices,
audit programmes and plans, risk plans, procedure versions); each layer of the kit sits with
its layer: `domain` (aggregate base), `application` (the steps) and `api` (the routes).
"""
