"""The customer-service desk in the Wagtail admin: queue, ticket timeline and actions,
categories, dispatch rules, teams and the duty calendar."""
