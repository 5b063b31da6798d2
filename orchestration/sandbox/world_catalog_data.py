"""Word lists the simulated UK DIY & tools catalogue is written from (brands, product kinds, copy)."""

from __future__ import annotations

# Brands the seller owns (brand registry: A+ content, brand analytics) and a few it resells.
OWN_BRANDS = ["Brackenforge", "Wrekin Fixings", "Pennine Tool Co", "Severn Workwear"]
RESOLD_BRANDS = ["Kestrel Pro", "Ironmarsh", "Halden & Co", "Stourbridge Trade", "Moorcroft"]

# Each category: display name, a made-up browse node, Amazon product type, and product kinds.
# A kind: noun, specs (sizes), packs, price range GBP, weight range g, variation theme,
# features, search keywords, origin of the main component (UK, CN or TW).
CATEGORIES: dict[str, dict] = {
    "screws_fixings": {
        "display": "Screws & Fixings", "node": "1939235031", "product_type": "SCREW",
        "kinds": [
            {"noun": "Wood Screws", "specs": ["3.5 x 30mm", "4.0 x 40mm", "4.0 x 50mm", "5.0 x 60mm", "5.0 x 80mm"],
             "packs": [100, 200, 500], "price": (4.5, 19.0), "weight": (250, 2400), "variation": "size",
             "features": ["Zinc Plated", "Pozi Drive", "Countersunk", "Twin Thread", "Yellow Passivated"],
             "keywords": ["wood screws", "screws for wood", "pozi screws", "countersunk screws", "timber screws"],
             "origin": "TW"},
            {"noun": "Decking Screws", "specs": ["4.5 x 50mm", "4.5 x 65mm"], "packs": [200, 500],
             "price": (8.0, 24.0), "weight": (800, 3000), "variation": "size",
             "features": ["Green Coated", "Torx Drive", "Rust Resistant"],
             "keywords": ["decking screws", "outdoor screws", "exterior wood screws"], "origin": "TW"},
            {"noun": "Coach Bolts with Nuts", "specs": ["M8 x 100mm", "M10 x 120mm"], "packs": [10, 20],
             "price": (6.0, 16.0), "weight": (600, 2200), "variation": None,
             "features": ["Zinc Plated", "Carriage Bolts", "Square Neck"],
             "keywords": ["coach bolts", "carriage bolts", "m8 bolts"], "origin": "CN"},
        ]},
    "wall_plugs": {
        "display": "Wall Plugs", "node": "1939236031", "product_type": "ANCHOR",
        "kinds": [
            {"noun": "Wall Plugs", "specs": ["5mm", "6mm", "7mm", "10mm"],
             "packs": [100, 200, 1000], "price": (2.5, 12.0), "weight": (60, 900), "variation": "colour",
             "features": ["for Masonry & Brick", "Nylon", "Anti-Rotation Fins"],
             "keywords": ["wall plugs", "rawl plugs", "raw plugs", "masonry plugs", "brick plugs"], "origin": "UK"},
            {"noun": "Plasterboard Fixings", "specs": ["Self Drill", "Spring Toggle", "Hollow Wall Anchor"],
             "packs": [25, 50, 100], "price": (4.0, 14.0), "weight": (80, 700), "variation": None,
             "features": ["Metal", "Heavy Duty", "for Drywall"],
             "keywords": ["plasterboard fixings", "hollow wall anchors", "drywall plugs"], "origin": "CN"},
        ]},
    "hand_tools": {
        "display": "Hand Tools", "node": "1939243031", "product_type": "HAND_TOOLS",
        "kinds": [
            {"noun": "Hacksaw", "specs": ['12"', '10"'], "packs": [1], "price": (6.5, 18.0), "weight": (350, 700),
             "variation": None, "features": ["Tensioned Frame", "Bi-Metal Blade", "Soft Grip Handle"],
             "keywords": ["hacksaw", "junior hacksaw", "metal saw"], "origin": "TW"},
            {"noun": "Claw Hammer", "specs": ["16oz", "20oz"], "packs": [1], "price": (7.5, 22.0),
             "weight": (500, 900), "variation": "size", "features": ["Fibreglass Shaft", "Anti-Vibration", "Forged Steel"],
             "keywords": ["claw hammer", "hammer", "16oz hammer"], "origin": "CN"},
            {"noun": "Screwdriver Set", "specs": ["6 Piece", "10 Piece", "32 Piece"], "packs": [1],
             "price": (8.0, 26.0), "weight": (300, 1200), "variation": None,
             "features": ["Magnetic Tips", "Chrome Vanadium", "Pozi & Slotted"],
             "keywords": ["screwdriver set", "screwdrivers", "precision screwdriver"], "origin": "TW"},
            {"noun": "Adjustable Spanner", "specs": ['8"', '10"', '12"'], "packs": [1], "price": (6.0, 17.0),
             "weight": (200, 600), "variation": "size", "features": ["Wide Jaw", "Chrome Plated", "Laser Etched Scale"],
             "keywords": ["adjustable spanner", "adjustable wrench", "shifting spanner"], "origin": "CN"},
        ]},
    "power_tools": {
        "display": "Power Tools", "node": "1939257031", "product_type": "DRILL",
        "kinds": [
            {"noun": "Cordless Combi Drill", "specs": ["18V", "20V Max"], "packs": [1], "price": (39.0, 119.0),
             "weight": (1400, 2600), "variation": None, "features": ["2 x 2.0Ah Batteries", "Brushless", "Carry Case"],
             "keywords": ["cordless drill", "combi drill", "drill driver", "18v drill"], "origin": "CN"},
            {"noun": "Jigsaw", "specs": ["650W", "750W"], "packs": [1], "price": (29.0, 79.0), "weight": (1800, 2600),
             "variation": None, "features": ["Pendulum Action", "Laser Guide", "6 Blades Included"],
             "keywords": ["jigsaw", "jig saw", "electric saw"], "origin": "CN"},
            {"noun": "Random Orbit Sander", "specs": ["300W", "125mm"], "packs": [1], "price": (25.0, 69.0),
             "weight": (1300, 2000), "variation": None, "features": ["Dust Bag", "Variable Speed", "12 Sanding Discs"],
             "keywords": ["orbital sander", "random orbit sander", "electric sander"], "origin": "CN"},
        ]},
    "power_tool_accessories": {
        "display": "Power Tool Accessories", "node": "1939261031", "product_type": "DRILL_BITS",
        "kinds": [
            {"noun": "HSS Drill Bit Set", "specs": ["19 Piece", "25 Piece"], "packs": [1], "price": (8.0, 24.0),
             "weight": (250, 800), "variation": None, "features": ["Metal Case", "Titanium Coated", "1-10mm"],
             "keywords": ["drill bits", "hss drill bits", "metal drill bits", "drill bit set"], "origin": "CN"},
            {"noun": "SDS Plus Masonry Drill Bits", "specs": ["5 Piece", "8 Piece"], "packs": [1],
             "price": (9.0, 28.0), "weight": (300, 900), "variation": None,
             "features": ["Carbide Tipped", "for Concrete & Brick", "Storage Case"],
             "keywords": ["sds drill bits", "masonry drill bits", "sds plus"], "origin": "TW"},
            {"noun": "Jigsaw Blades", "specs": ["T-Shank"], "packs": [10, 20, 40], "price": (5.0, 18.0),
             "weight": (60, 300), "variation": None, "features": ["Wood & Metal", "HCS & HSS", "Universal Fit"],
             "keywords": ["jigsaw blades", "t shank blades", "jig saw blades"], "origin": "TW"},
            {"noun": "Circular Saw Blade", "specs": ["165mm 24T", "185mm 40T", "210mm 48T"], "packs": [1],
             "price": (9.0, 26.0), "weight": (300, 700), "variation": "size", "features": ["TCT", "for Wood", "Thin Kerf"],
             "keywords": ["circular saw blade", "saw blade", "185mm blade"], "origin": "TW"},
        ]},
    "adhesives_sealants": {
        "display": "Adhesives & Sealants", "node": "1939270031", "product_type": "ADHESIVE",
        "kinds": [
            {"noun": "Silicone Sealant", "specs": ["310ml"], "packs": [1, 3, 6], "price": (4.0, 19.0),
             "weight": (350, 2200), "variation": "colour", "features": ["Clear", "Anti-Mould", "Sanitary"],
             "keywords": ["silicone sealant", "bathroom sealant", "clear silicone", "caulk"], "origin": "UK"},
            {"noun": "Grab Adhesive", "specs": ["290ml", "350g"], "packs": [1, 4, 12], "price": (4.5, 28.0),
             "weight": (400, 5000), "variation": None, "features": ["Instant Grab", "Solvent Free", "Interior & Exterior"],
             "keywords": ["grab adhesive", "no more nails", "construction adhesive"], "origin": "UK"},
            {"noun": "PVA Wood Glue", "specs": ["250ml", "1 Litre"], "packs": [1], "price": (3.5, 12.0),
             "weight": (280, 1150), "variation": "size", "features": ["Fast Setting", "Water Resistant", "Dries Clear"],
             "keywords": ["wood glue", "pva glue", "carpentry glue"], "origin": "UK"},
        ]},
    "measuring_layout": {
        "display": "Measuring & Layout", "node": "1939280031", "product_type": "MEASURING_TOOL",
        "kinds": [
            {"noun": "Tape Measure", "specs": ["5m", "8m"], "packs": [1, 2], "price": (4.5, 15.0),
             "weight": (200, 500), "variation": "size", "features": ["Metric & Imperial", "Auto Lock", "Belt Clip"],
             "keywords": ["tape measure", "measuring tape", "5m tape measure"], "origin": "CN"},
            {"noun": "Spirit Level", "specs": ["600mm", "1200mm"], "packs": [1], "price": (7.0, 25.0),
             "weight": (400, 1200), "variation": "size", "features": ["3 Vials", "Aluminium", "Shock Absorbing Ends"],
             "keywords": ["spirit level", "level", "bubble level"], "origin": "TW"},
            {"noun": "Cross Line Laser Level", "specs": ["Green Beam", "Red Beam"], "packs": [1],
             "price": (25.0, 69.0), "weight": (400, 900), "variation": None,
             "features": ["Self Levelling", "Tripod", "IP54"],
             "keywords": ["laser level", "cross line laser", "self levelling laser"], "origin": "CN"},
        ]},
    "workwear_safety": {
        "display": "Workwear & Safety", "node": "1939290031", "product_type": "SAFETY_EQUIPMENT",
        "kinds": [
            {"noun": "Work Gloves", "specs": ["Nitrile Coated", "Latex Grip"], "packs": [3, 6, 12],
             "price": (5.0, 16.0), "weight": (100, 500), "variation": "size",
             "features": ["Breathable", "Touchscreen", "EN388"],
             "keywords": ["work gloves", "gardening gloves", "builders gloves"], "origin": "CN"},
            {"noun": "Safety Boots S3", "specs": ["Steel Toe Cap", "Composite Toe"], "packs": [1],
             "price": (29.0, 65.0), "weight": (1200, 2000), "variation": "size",
             "features": ["Waterproof", "Midsole Protection", "Slip Resistant"],
             "keywords": ["safety boots", "steel toe boots", "work boots"], "origin": "CN"},
            {"noun": "Hi Vis Vest", "specs": ["EN ISO 20471"], "packs": [1, 5, 10], "price": (3.0, 19.0),
             "weight": (90, 900), "variation": "size_colour", "features": ["Reflective Tape", "Velcro Fastening", "Printable"],
             "keywords": ["hi vis vest", "high visibility vest", "reflective vest"], "origin": "CN"},
            {"noun": "FFP2 Dust Masks", "specs": ["Valved", "Unvalved"], "packs": [5, 10, 20], "price": (6.0, 22.0),
             "weight": (60, 400), "variation": None, "features": ["EN149", "Adjustable Nose Clip", "Sanding & DIY"],
             "keywords": ["dust masks", "ffp2 mask", "dust mask for diy"], "origin": "CN"},
        ]},
}

SIZE_VALUES = {
    "Work Gloves": ["Small (7)", "Medium (8)", "Large (9)", "X-Large (10)"],
    "Safety Boots S3": ["UK 7", "UK 8", "UK 9", "UK 10", "UK 11", "UK 12"],
    "Hi Vis Vest": ["M", "L", "XL", "XXL"],
}
COLOUR_VALUES = {
    "Hi Vis Vest": ["Yellow", "Orange"],
    "Silicone Sealant": ["Clear", "White", "Brown", "Grey"],
    "Wall Plugs": ["Yellow", "Red", "Brown", "Blue"],
}

BULLET_HEADS = ["HEAVY DUTY", "BUILT TO LAST", "EASY TO USE", "VERSATILE", "WHAT'S IN THE BOX",
                "TRADE QUALITY", "UK BRAND", "PEACE OF MIND", "SAFE & COMFORTABLE", "GREAT VALUE"]
BULLET_BODIES = [
    "Made for everyday DIY and trade jobs around the house, garden and workshop",
    "Tested to British and European standards so you can work with confidence",
    "Supplied in a resealable pack that keeps everything together in the van or shed",
    "Works with all common brands and fits standard UK fittings",
    "Backed by our UK support team and a no-quibble 12 month guarantee",
    "A favourite with landlords, handymen and weekend DIYers across the UK",
    "Saves you trips to the builders merchant: worth £10 more than the price in time alone",
    "Precision made with tight tolerances for a clean, professional finish",
]
DESCRIPTIONS = [
    "Whether you are putting up shelves, fitting a kitchen or tackling a garden project, this {noun} "
    "from {brand} gets the job done first time. Designed in the UK and made to a trade standard.",
    "The {brand} {noun} is built for people who use their tools. Every batch is checked before it "
    "leaves our warehouse, and our support team in the Midlands is on hand if you need help.",
    "Stop buying cheap {noun_lower} twice. {brand} makes kit that lasts, priced fairly at under £{price_hint}.",
]
FILLER_TERMS = ["diy", "tools", "home improvement", "trade", "builder", "handyman", "garage", "workshop",
                "shed", "garden", "renovation", "uk", "gift for dad", "professional", "hardware", "kit"]
SUPPRESSION_REASONS = [
    ("18027", "Missing main image", "main_product_image_locator",
     "The listing is missing a main image. Add a main image on a pure white background."),
    ("90220", "Title exceeds length limit", "item_name",
     "The title is longer than 200 characters. Shorten the title to 200 characters or fewer."),
    ("8541", "Potential pricing error", "purchasable_offer",
     "The price is significantly higher than recent prices for this item."),
    ("99300", "Product safety information required", "safety_data_sheet_url",
     "A safety data sheet is required for this product type."),
]
