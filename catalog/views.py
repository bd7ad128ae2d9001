from django.http import HttpResponse


def search(request):  # placeholder until the catalog pages land
    return HttpResponse("")


def detail(request, code):  # placeholder until the catalog pages land
    return HttpResponse(code)
