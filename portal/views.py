from django.http import HttpResponse


def healthz(request):
    """Liveness probe for the load balancer; also the trivial baseline in benchmarks."""
    return HttpResponse("ok", content_type="text/plain")
