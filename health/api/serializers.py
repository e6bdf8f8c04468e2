from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ..models import HealthScore
from ..selectors import churn_risks_of, history_status, measure_label


class MeasureValueSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    value = serializers.FloatField(allow_null=True, help_text="Raw value; null = no data (weight spread).")
    score = serializers.FloatField(allow_null=True, help_text="0-100 after the thresholds.")
    weight = serializers.IntegerField()
    contribution = serializers.FloatField(help_text="Points this measure adds to the score.")


class ChurnReasonSerializer(serializers.Serializer):
    measure = serializers.CharField(help_text="Measure key.")
    label = serializers.CharField()
    impact = serializers.FloatField(
        help_text="How much this measure raises the churn log-odds against the average account."
    )
    value = serializers.FloatField(allow_null=True, help_text="The measure's raw value on that day.")


class HealthScoreSerializer(serializers.ModelSerializer):
    """One account's score on a day. `churn_risk` / `churn_reasons` come from the latest
    learned churn model (the view passes it as context["churn_model"]), applied to this
    snapshot's measures; null / [] while no model is trained."""

    account = serializers.CharField(source="account.external_id", read_only=True)
    scorecard = serializers.CharField(source="scorecard.name", read_only=True, allow_null=True, default=None)
    measures = serializers.SerializerMethodField()
    insufficient_history = serializers.SerializerMethodField(
        help_text="Too little history (under 14 days of data) to read the score as healthy."
    )
    history_days = serializers.SerializerMethodField(help_text="Days of data behind the score; null when unknown.")
    churn_risk = serializers.SerializerMethodField()
    churn_reasons = serializers.SerializerMethodField()

    class Meta:
        model = HealthScore
        fields = [
            "account",
            "day",
            "score",
            "band",
            "computed_score",
            "source",
            "scorecard",
            "insufficient_history",
            "history_days",
            "measures",
            "churn_risk",
            "churn_reasons",
        ]

    def get_insufficient_history(self, obj) -> bool:
        return history_status(obj.measures)["insufficient"]

    def get_history_days(self, obj) -> int | None:
        return history_status(obj.measures)["days"]

    def _churn(self, obj) -> dict | None:
        model = self.context.get("churn_model")
        if model is None:
            return None
        if not hasattr(obj, "_churn"):
            # The whole page at once (its event rates in one query), when listed.
            page = getattr(self.parent, "instance", None) if self.parent is not None else None
            snaps = [s for s in page if not hasattr(s, "_churn")] if isinstance(page, list) and obj in page else [obj]
            for snap, churn in zip(snaps, churn_risks_of(model, snaps), strict=True):
                snap._churn = churn
        return obj._churn

    @extend_schema_field(
        serializers.FloatField(
            allow_null=True,
            help_text="Probability (0-1) that the account churns within 60 days, by the learned churn model; "
            "null while no model is trained.",
        )
    )
    def get_churn_risk(self, obj) -> float | None:
        churn = self._churn(obj)
        return round(churn["probability"], 4) if churn else None

    @extend_schema_field(ChurnReasonSerializer(many=True))
    def get_churn_reasons(self, obj) -> list[dict]:
        churn = self._churn(obj)
        return churn["reasons"] if churn else []

    @extend_schema_field(MeasureValueSerializer(many=True))
    def get_measures(self, obj) -> list[dict]:
        return [
            {
                "key": key,
                "label": measure_label(key),
                "value": d.get("value"),
                "score": d.get("score"),
                "weight": d.get("weight", 0),
                "contribution": d.get("contribution", 0.0),
            }
            for key, d in obj.measures.items()
        ]


class BandStatsSerializer(serializers.Serializer):
    observations = serializers.IntegerField()
    churned = serializers.IntegerField()
    churn_rate = serializers.FloatField(allow_null=True)
    lift = serializers.FloatField(allow_null=True)


class HorizonSerializer(serializers.Serializer):
    horizon_days = serializers.IntegerField()
    observations = serializers.IntegerField()
    churned = serializers.IntegerField()
    churn_rate = serializers.FloatField(allow_null=True)
    auc = serializers.FloatField(allow_null=True)
    auc_reweighted = serializers.FloatField(allow_null=True, required=False)
    bands = serializers.DictField(child=BandStatsSerializer())


class ChurnModelSerializer(serializers.Serializer):
    trained_at = serializers.DateTimeField()
    horizon_days = serializers.IntegerField()
    features = serializers.ListField(child=serializers.CharField())
    coefficients = serializers.ListField(child=serializers.FloatField())
    metrics = serializers.DictField()


class BacktestSerializer(serializers.Serializer):
    as_of = serializers.DateField()
    horizons = HorizonSerializer(many=True)
    model = ChurnModelSerializer(allow_null=True)
