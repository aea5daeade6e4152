import datetime as dt
import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from gongjian.policytext.documents import DocumentError, text_from_bytes
from gongjian.policytext.evaluate import CorpusError, as_json, evaluate_lines, read_corpus, report
from gongjian.policytext.extract import extract


class Command(BaseCommand):
    help = (
        "Propose the targets and baseline facts of a campaign document: "
        "gongjian extract-targets FILE|- [--year 2022] --format json; "
        "gongjian extract-targets --evaluate CORPUS prints precision, recall and F1 per part. "
        "从攻坚行动文件中提取目标和基数。"
    )

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", help=".txt or .docx, or - for standard input")
        parser.add_argument("--year", type=int, help="the document's year (今年, 明年 …)")
        parser.add_argument("--date", default="", help="YYYY-MM-DD: the date facts hold at")
        parser.add_argument(
            "--format", choices=["json", "text"], default="json", help="output (json)"
        )
        parser.add_argument(
            "--evaluate",
            metavar="CORPUS",
            help="labelled corpus: a folder of .txt files (tests/corpus) or one such file",
        )
        parser.add_argument(
            "--verbose-errors",
            nargs="?",
            const="dev",
            default="",
            metavar="PART",
            help="list misses and spurious items of one part (dev by default; dev/park …)",
        )

    def handle(self, *args, file, year, date, format, evaluate, verbose_errors, **options):
        if evaluate:
            try:
                results = evaluate_lines(read_corpus(evaluate))
            except (OSError, CorpusError) as error:
                raise CommandError(_("无法读取评测语料：%(error)s") % {"error": error}) from None
            if format == "json":
                self.stdout.write(json.dumps(as_json(results), ensure_ascii=False, indent=2))
            else:
                self.stdout.write(
                    report(results, verbose=bool(verbose_errors), split=verbose_errors),
                    ending="",
                )
            return
        if not file:
            raise CommandError(_("请指定文件（.txt 或 .docx），或用“-”从标准输入读取。"))
        if year is not None and not 1949 <= year <= 2100:
            raise CommandError(_("年份须在 1949 至 2100 之间：%(year)s") % {"year": year})
        try:
            doc_date = dt.date.fromisoformat(date) if date else None
        except ValueError:
            raise CommandError(_("日期格式应为 YYYY-MM-DD：%(value)s") % {"value": date}) from None
        try:
            if file == "-":
                data = sys.stdin.buffer.read() if hasattr(sys.stdin, "buffer") else b""
                text = text_from_bytes(data, "-") if data else sys.stdin.read()
            else:
                path = Path(file)
                text = text_from_bytes(path.read_bytes(), path.name)
        except OSError as error:
            raise CommandError(
                _("无法读取文件“%(file)s”：%(error)s") % {"file": file, "error": error.strerror}
            ) from None
        except DocumentError as error:
            raise CommandError(str(error)) from None
        extraction = extract(text, year=year, date=doc_date)
        document = extraction.as_dict()
        if format == "json":
            self.stdout.write(json.dumps(document, ensure_ascii=False, indent=2))
            return
        for item in extraction.targets:
            flt = f"（{item.filter}）" if item.filter else ""
            self.stdout.write(
                f"目标 {item.scope} {item.metric}{flt} {item.comparator} {item.value}{item.unit}"
                f" 至 {item.period_end}"
            )
        for fact in extraction.facts:
            self.stdout.write(
                f"事实 {fact.scope} {fact.metric} = {fact.value}{fact.unit}"
                f"（{fact.kind}，{fact.date}）"
            )
