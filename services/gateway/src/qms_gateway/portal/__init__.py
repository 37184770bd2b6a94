"""The portal: pages for people, served by the gateway (docs/architecture.md, "Pages").

The frame of the portal lives here (layout, macros, sign-in, my tasks, the public unit
directory, the supervisor's view); each wing adds its own pages and templates beside its API.
"""
