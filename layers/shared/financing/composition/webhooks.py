"""The webhook use cases' wiring: how their events show a subscription (the core family's subscription
object, which never holds the secret), and what a receiver is sent for an event (the core family's event)."""

from financing.composition.events import announcing
from financing.domain.webhooks import WebhookSubscription
from financing.families.core.webhooks import event_body, subscription_object
from financing.services.ports import Announces, EventBody

# Its events carry the core family's subscription object (as GET shows it: the secret is never in an event).
subscription_event: Announces[WebhookSubscription] = announcing(subscription_object)

# Receivers are sent the core family's event: {"id", "object": "event", "type", "created", "data"}.
delivery_body: EventBody = event_body
