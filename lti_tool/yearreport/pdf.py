"""The yearly report as a PDF (fpdf2): the same document the page shows, laid out for A4 paper.

The built-in Helvetica needs no font files on the server; it covers Latin-1, which holds every
letter of Dutch and English. The few typographic signs outside it are written plainly.
"""
from fpdf import FPDF
from fpdf.fonts import FontFace

from .document import Document

_PLAIN = str.maketrans({"–": "-", "—": "-", "‘": "'", "’": "'", "“": '"', "”": '"', "…": "...", "·": "-",
                        "\u00a0": " ", "\u202f": " "})


def _text(value) -> str:
    return str(value).translate(_PLAIN).encode("latin-1", "replace").decode("latin-1")


class _Pages(FPDF):
    footer_text = ""

    def footer(self):
        self.set_y(-12)
        self.set_font("Helvetica", size=8)
        self.set_text_color(90)
        self.cell(0, 8, _text(f"{self.footer_text}  -  {self.page_no()}/{{nb}}"), align="C")


def render(doc: Document) -> bytes:
    pdf = _Pages(format="A4")
    pdf.footer_text = doc.subtitle
    pdf.set_title(_text(doc.title))
    pdf.set_author("Veilig Online")
    pdf.set_auto_page_break(True, margin=18)
    pdf.set_margins(18, 18, 18)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 18)
    pdf.multi_cell(0, 9, _text(doc.title), new_x="LMARGIN", new_y="NEXT", align="L")
    pdf.set_font("Helvetica", size=11)
    pdf.multi_cell(0, 6, _text(doc.subtitle), new_x="LMARGIN", new_y="NEXT", align="L")
    pdf.set_text_color(90)
    pdf.multi_cell(0, 6, _text(doc.made), new_x="LMARGIN", new_y="NEXT", align="L")
    pdf.set_text_color(0)
    pdf.ln(2)
    pdf.set_font("Helvetica", size=9)
    for line in doc.about:
        pdf.multi_cell(0, 5, _text(line), new_x="LMARGIN", new_y="NEXT", align="L")
        pdf.ln(1)
    for section in doc.sections:
        pdf.ln(4)
        if pdf.will_page_break(40):
            pdf.add_page()
        pdf.set_font("Helvetica", "B", 13)
        pdf.multi_cell(0, 7, _text(section.title), new_x="LMARGIN", new_y="NEXT", align="L")
        pdf.set_font("Helvetica", size=9)
        if section.intro:
            pdf.multi_cell(0, 5, _text(section.intro), new_x="LMARGIN", new_y="NEXT", align="L")
        for table in section.tables:
            pdf.ln(2)
            if pdf.will_page_break(14 + 9 * min(len(table.rows), 8)):
                pdf.add_page()  # the caption stays with its table
            pdf.set_font("Helvetica", "B", 10)
            pdf.multi_cell(0, 6, _text(table.caption), new_x="LMARGIN", new_y="NEXT", align="L")
            pdf.set_font("Helvetica", size=9)
            numeric = [column >= table.numeric_from for column in range(len(table.headers))]
            with pdf.table(col_widths=[1.2 if n else 2.6 for n in numeric],
                           text_align=["RIGHT" if n else "LEFT" for n in numeric],
                           headings_style=FontFace(emphasis="BOLD", fill_color=(238, 241, 244)),
                           line_height=5.5, first_row_as_headings=True) as grid:
                grid.row([_text(h) for h in table.headers])
                for row in table.rows:
                    grid.row([_text(cell) for cell in row])
        for note in section.notes:
            pdf.ln(1)
            pdf.multi_cell(0, 5, _text(note), new_x="LMARGIN", new_y="NEXT", align="L")
    return bytes(pdf.output())
