"""The site's API: one OpenAPI document (/api/openapi.json) and its documentation page (/api/docs)."""

from ninja import NinjaAPI

from opencare.reviews.api import router as review_router

api = NinjaAPI(
    title="opencare API",
    version="1",
    description="Check OCDS data with the Data Review Tool. Everything here works without an account.",
    urls_namespace="api-1",
)
api.add_router("/review", review_router)
