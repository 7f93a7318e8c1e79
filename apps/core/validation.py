from rest_framework import serializers


def validated(serializer_class: type[serializers.Serializer], data, **kwargs) -> dict:
    """Run an input serializer and answer its validated data; errors become VALIDATION_ERROR."""
    if not isinstance(data, dict):
        raise serializers.ValidationError({"non_field_errors": ["Send a JSON object."]})
    serializer = serializer_class(data=data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data
