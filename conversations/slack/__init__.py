"""The Slack app (issue 21 item 5): signed requests (verify), alerts in Block Kit with buttons
(blocks, alerts), the /pulse command (commands), button actions on tasks (interactivity), the
Web API through slack_sdk (client), sending from the outbox with retries (delivery), and the
admin's settings and each user's link (views)."""
