from django.apps import AppConfig


class BenchConfig(AppConfig):
    """The rollup benchmark (`gongjian bench rollup`): no models, a command and its generator."""

    name = "gongjian.bench"
    label = "bench"
    verbose_name = "Benchmark"
