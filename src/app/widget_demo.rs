use leptos::prelude::*;
use leptos_meta::Title;

struct Product {
    name: &'static str,
    origin: &'static str,
    notes: &'static str,
    price: &'static str,
    hue: u16,
}

const PRODUCTS: &[Product] = &[
    Product {
        name: "Yirgacheffe Kochere",
        origin: "Ethiopia · washed",
        notes: "Jasmine, bergamot, lemon curd",
        price: "€16.50",
        hue: 32,
    },
    Product {
        name: "Huila La Esperanza",
        origin: "Colombia · honey",
        notes: "Red apple, panela, cacao nib",
        price: "€14.00",
        hue: 14,
    },
    Product {
        name: "Nyeri Gatomboya AA",
        origin: "Kenya · washed",
        notes: "Blackcurrant, grapefruit, molasses",
        price: "€18.90",
        hue: 350,
    },
    Product {
        name: "Night Shift Espresso",
        origin: "Brazil & Guatemala blend",
        notes: "Dark chocolate, hazelnut, toffee",
        price: "€12.50",
        hue: 24,
    },
    Product {
        name: "Finca El Puente",
        origin: "Honduras · natural",
        notes: "Strawberry jam, rum raisin, cocoa",
        price: "€17.20",
        hue: 4,
    },
    Product {
        name: "Decaf Sugarcane",
        origin: "Colombia · EA process",
        notes: "Milk chocolate, stone fruit",
        price: "€13.40",
        hue: 40,
    },
];

/// A believable shop that embeds the chat widget exactly as a customer's site would: with one
/// `<script>` tag and its widget key, nothing else.
#[component]
pub fn WidgetDemo() -> impl IntoView {
    view! {
        <Title text="Northwind Coffee Roasters · Fresh specialty coffee" />
        <div class="shop">
            <header class="shop__bar">
                <a class="shop__logo" href="/widget-demo">"Northwind"<span>" Coffee Roasters"</span></a>
                <nav class="shop__nav" aria-label="Shop">
                    <a href="#beans">"Beans"</a>
                    <a href="#subscriptions">"Subscriptions"</a>
                    <a href="#brewing">"Brewing"</a>
                    <a href="#help">"Help"</a>
                </nav>
                <span class="shop__cart" aria-label="Cart, 0 items">"Cart (0)"</span>
            </header>
            <section class="shop__hero">
                <div>
                    <p class="shop__eyebrow">"Roasted every Tuesday and Friday"</p>
                    <h1>"Coffee worth waking up for."</h1>
                    <p>
                        "Single-origin beans from farms we visit, roasted in small batches in Rotterdam
                        and shipped within 48 hours. Free shipping in the EU from €35."
                    </p>
                    <a class="shop__cta" href="#beans">"Shop the beans"</a>
                </div>
            </section>
            <section id="beans" class="shop__section">
                <h2>"This week's roasts"</h2>
                <ul class="shop__grid">
                    {PRODUCTS.iter().map(|product| view! { <ProductCard product /> }).collect_view()}
                </ul>
            </section>
            <section id="subscriptions" class="shop__section shop__band">
                <h2>"Never run out"</h2>
                <p>"A fresh bag every two or four weeks. Pause, skip or cancel any time from your account."</p>
            </section>
            <footer id="help" class="shop__footer">
                <p>"Questions about an order, shipping or your subscription? Our team and our assistant are in the chat, bottom right."</p>
                <p class="muted">"Northwind Coffee Roasters is a demo shop for Switchboard. Nothing here is for sale."</p>
            </footer>
        </div>
        // The embed snippet, exactly as a shop would paste it.
        <script src="/widget.js" data-widget-key="demo" async></script>
    }
}

/// One bean on the shelf: a swatch in its own hue, its origin and notes, "Add to cart".
#[component]
fn ProductCard(product: &'static Product) -> impl IntoView {
    let swatch = format!(
        "background: linear-gradient(135deg, hsl({} 55% 42%), hsl({} 45% 22%))",
        product.hue, product.hue,
    );
    view! {
        <li class="product">
            <div class="product__image" style=swatch aria-hidden="true"></div>
            <h3>{product.name}</h3>
            <p class="product__origin">{product.origin}</p>
            <p class="product__notes">{product.notes}</p>
            <p class="product__buy">
                <span>{product.price}" · 250 g"</span>
                <button type="button" class="product__add">"Add to cart"</button>
            </p>
        </li>
    }
}
