from rest_framework import serializers


def validated(serializer_class: type[serializers.Serializer], data, **kwargs) -> dict:
    """Run an input serializer and answer its validated data; errors become VALIDATION_ERROR."""
    if not isinstance(data, dict):
        raise serializers.ValidationError({"non_field_errors": ["Send a JSON object."]})
    serializer = serializer_class(data=data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def validated_query(serializer_class: type[serializers.Serializer], request) -> dict:
    """Validate query parameters (camelCase at the edge) with an input serializer."""
    from .renderers import snake_key

    data = {snake_key(key): value for key, value in request.query_params.items()}
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data
