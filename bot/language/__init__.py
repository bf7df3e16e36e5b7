"""Reading Vietnamese as people type it: folding and chat shorthand (`text`), the lunar
calendar (`lunar`). The public readers are `bot.deadlines` (dates) and `bot.intents`
(answers to a reminder); both build on this package."""
