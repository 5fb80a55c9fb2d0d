"""``graphkit view``: an interactive, offline HTML network view."""

from __future__ import annotations

import click

from ..._cells import visible
from .._errors import handle_errors
from .._options import (
    CONTEXT_SETTINGS,
    RANK_MEASURES,
    build_influence_graph,
    check_prob_options,
    edge_input_options,
    load_graph,
    membership_labels,
    open_in_browser,
    open_option,
    probability_options,
    random_seed_option,
    resolve_seed,
    source_names,
)
from .._output import Stages

KINDS = ("influencers", "communities", "ego", "cascade")
PAGE_EXTENSIONS = (".html", ".htm")
IMAGE_EXTENSIONS = (".png", ".svg")


def _output_path(ctx, param, value):
    """-o FILE: a page (.html) or an image (.png/.svg, drawn by a headless browser)."""
    import os

    if value is None:
        return value
    ext = os.path.splitext(str(value))[1].lower()
    if ext not in PAGE_EXTENSIONS + IMAGE_EXTENSIONS:
        raise click.BadParameter(f"give a file ending in .html (a page) or .png/.svg (an image), "
                                 f"not {value!r}")
    folder = os.path.dirname(os.path.abspath(value))
    if not os.path.isdir(folder):
        raise click.BadParameter(f"the directory {folder} does not exist")
    return value


def _image_size(ctx, param, value):
    try:
        w, h = (int(x) for x in str(value).lower().split("x"))
    except ValueError:
        raise click.BadParameter(f"expected WIDTHxHEIGHT in pixels, e.g. 1600x1100, not {value!r}") from None
    if not (100 <= w <= 10000 and 100 <= h <= 10000):
        raise click.BadParameter(f"width and height must be 100..10000 pixels, not {value!r}")
    return w, h


@click.command(context_settings=CONTEXT_SETTINGS)
@edge_input_options
@click.option("--kind", type=click.Choice(KINDS), default="influencers", show_default=True,
              help="influencers: top users and their edges; communities: one bubble per "
                   "community; ego: a user's neighbourhood; cascade: who seeds reach.")
@click.option("--top", type=click.IntRange(min=1), default=None,
              help="Users shown (default 300); for --kind communities, bubbles (default 100).")
@click.option("--by", type=click.Choice(RANK_MEASURES), default="pagerank", show_default=True,
              help="Score that picks and sizes the users.")
@click.option("--user", default=None, help="--kind ego: the user at the centre.")
@click.option("--radius", type=click.IntRange(min=1), default=None,
              help="--kind ego: hops from the user, both directions (default 1).")
@click.option("--seeds", "seed_list", metavar="A,B,...", default=None,
              help="--kind cascade: seed users (comma separated).")
@click.option("--seeds-file", type=click.Path(dir_okay=False), default=None,
              help="--kind cascade: seed users from FILE (one id per line, or a 'user' column).")
@click.option("--model", type=click.Choice(["ic", "lt"]), default="ic", show_default=True,
              help="--kind cascade: Independent Cascade or Linear Threshold.")
@probability_options
@click.option("--runs", type=click.IntRange(min=2), default=2000, show_default=True,
              help="--kind cascade: simulated cascades behind the colours.")
@click.option("--communities", "communities_file", type=click.Path(dir_okay=False), default=None,
              help="Membership file (user,community; what 'graphkit communities -o' writes): "
                   "the colours of --kind influencers and ego, the bubbles of --kind communities "
                   "(default: Leiden).")
@click.option("--labels", type=click.IntRange(min=0), default=30, show_default=True,
              help="Users whose names are drawn at the default zoom (the best first); the rest "
                   "show theirs when zoomed in or hovered.")
@click.option("--color-by", type=click.Choice(["community", "segment"]), default="community",
              show_default=True,
              help="--kind influencers: colour users by community, or by the role of their user "
                   "segment (graphkit segments, k chosen by silhouette), e.g. --color-by segment.")
@random_seed_option
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False),
              callback=_output_path,
              help="The page to write (.html), or an image of it (.png, .svg; needs Chromium "
                   "and the playwright package).")
@click.option("--image-size", default="1600x1100", show_default=True, callback=_image_size,
              metavar="WxH", help="-o .png/.svg: the window the network is fitted into (a PNG "
                                  "has twice as many pixels each way).")
@open_option
@handle_errors
def view(kind, top, by, user, radius, seed_list, seeds_file, model, prob_spec, type_probs, runs,
         communities_file, labels, color_by, random_seed, output, image_size, open_page,
         **params):
    """Draw the graph as an interactive HTML page that works offline.

    Big graphs are never drawn whole: the page shows the top users by a score
    and the edges among them, one bubble per community, a user's neighbourhood
    or a cascade's most likely reach, and its header says what was left out.
    The page is one self-contained file (no CDN, no request); every id is
    escaped. With -o x.png or x.svg the page is drawn by headless Chromium
    and saved as an image instead.

    \b
    Examples:
      graphkit view data/higgs-sample.csv.gz -o influencers.html --open
      graphkit view edges.csv --kind communities -o communities.html
      graphkit view edges.csv --kind ego --user alice --radius 2 -o alice.html
      graphkit view edges.csv --kind cascade --seeds-file seeds.csv -o cascade.html
      graphkit view data/higgs-sample.csv.gz -o influencers.png
    """
    import os

    from ... import viz
    from ...io import read_id_list
    from ...viz import export

    if kind != "ego" and (user is not None or radius is not None):
        raise click.UsageError("--user and --radius apply to --kind ego only")
    if kind == "ego" and user is None:
        raise click.UsageError("--kind ego needs --user USER (the centre of the view)")
    if kind != "cascade" and (seed_list is not None or seeds_file is not None):
        raise click.UsageError("--seeds and --seeds-file apply to --kind cascade only")
    if kind == "cascade" and (seed_list is None) == (seeds_file is None):
        raise click.UsageError("--kind cascade needs the seed users: --seeds A,B or --seeds-file FILE")
    if color_by != "community" and kind != "influencers":
        raise click.UsageError("--color-by segment applies to --kind influencers only")
    if communities_file is not None and kind == "cascade":
        raise click.UsageError("--communities applies to --kind influencers, communities and ego")
    image = os.path.splitext(output)[1].lower() in IMAGE_EXTENSIONS
    if image and open_page:
        raise click.UsageError("--open opens a page: give -o FILE.html")
    cascade_only = {"--model": model != "ic", "--prob": prob_spec != "wc",
                    "--type-prob": bool(type_probs)}
    if kind != "cascade" and any(cascade_only.values()):
        used = ", ".join(k for k, v in cascade_only.items() if v)
        raise click.UsageError(f"{used} applies to --kind cascade only")
    name, arg = check_prob_options(prob_spec, type_probs)
    if image:
        export.check_browser()  # before any work: say now what is missing
    quiet = click.get_current_context().find_root().meta.get("quiet")
    seed = resolve_seed(random_seed)
    sources = source_names(params["edges"])
    with Stages(enabled=not quiet) as st:
        graph, edges = load_graph(params, st, extra_cols=(arg,) if name == "column" else ())
        st.stage(f"building the {kind} view")
        if kind == "influencers":
            roles = None
            if color_by == "segment":
                from ...segments import ROLES, segment_users

                part = membership_labels(communities_file, graph) if communities_file else None
                names = segment_users(graph, partition=part, rng=seed,
                                      progress=st.stage).table["role"].to_numpy()
                # each role keeps its colour from page to page: numbered in ROLES order
                order = list(ROLES) + sorted(set(names.tolist()) - set(ROLES))
                roles = viz.categories_from(graph, names, title="role", order=order)
                st.stage(f"building the {kind} view")
            page = viz.influencers_view(graph, top=top or viz.DEFAULT_TOP, method=by,
                                        communities=communities_file, edges=edges, labels=labels,
                                        rng=seed, sources=sources, color_by=roles)
        elif kind == "communities":
            page = viz.communities_view(graph, communities_file,
                                        top=top or viz.DEFAULT_TOP_COMMUNITIES, method=by,
                                        labels=labels, rng=seed, sources=sources)
        elif kind == "ego":
            page = viz.ego_view(graph, user, radius=radius or 1, top=top or viz.DEFAULT_TOP,
                                method=by, communities=communities_file, edges=edges,
                                labels=labels, rng=seed, sources=sources)
        else:
            ids = (read_id_list(seeds_file) if seeds_file is not None
                   else [s.strip() for s in seed_list.split(",") if s.strip()])
            if not ids:
                raise click.UsageError("no seed users given")
            ig = build_influence_graph(graph, edges, prob_spec, type_probs, seed)
            st.stage(f"simulating {runs:,} cascades")
            page = viz.cascade_view(graph, ids, influence=ig, model=model, runs=runs,
                                    top=top or viz.DEFAULT_TOP, labels=labels, rng=seed,
                                    sources=sources)
        if image:
            st.stage("drawing the image in headless Chromium")
            export.save_image(page, output, width=image_size[0], height=image_size[1])
        else:
            st.stage("writing the page")
            page.write(output)
    click.echo(visible(page.shown))
    click.echo(f"wrote {output}")
    if open_page:
        open_in_browser(output)
