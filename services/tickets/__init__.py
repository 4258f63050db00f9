"""Service tickets: repairs (故障报修, 预约维修) and complaints and suggestions (投诉建议)
share one lifecycle, built once in services.tickets.models."""
